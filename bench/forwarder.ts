export async function run(): Promise<void> {
  console.log('forwarder benchmark: not written yet');
}
