import { stopMoto } from './moto';

export default async function globalTeardown(): Promise<void> {
  await stopMoto();
}
