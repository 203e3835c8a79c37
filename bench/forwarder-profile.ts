/**
 * A load for a CPU profile of the forwarder: the packaged handler (not minified, so the profile
 * names functions) on one mix, many invocations into the loopback sink. Run under
 * `node --cpu-prof` (docs/performance.md says how); prints nothing worth reading itself.
 * FORWARDER_PROFILE_MIX=json profiles the JSON application-log mix instead of the Lambda mix;
 * FORWARDER_PROFILE_VARIANT=blueprint profiles the blueprint's transform and delivery instead.
 */
import type { CloudWatchLogsEvent, Context } from 'aws-lambda';
import { decodeSubscriptionEvent } from '../libs/forwarding/decoding/subscription';
import { blueprintTransform } from './support/blueprint';
import { startSink } from './support/measure';
import { makeJsonPayload, makePayload } from './support/mixes';
import { bundleDir, bundleFunction, packagedForwarder } from './support/packaged';

const EVENTS = 10_000;
const INVOCATIONS = 150;

export async function run(): Promise<void> {
  const mix = process.env.FORWARDER_PROFILE_MIX === 'json' ? 'json' : 'lambda';
  const event = (mix === 'json' ? makeJsonPayload(EVENTS) : makePayload(EVENTS)) as CloudWatchLogsEvent;
  const bundle = await bundleFunction('forwarder', bundleDir(), { minify: false });
  const sink = await startSink();
  try {
    const forwarder = packagedForwarder(bundle, { DESTINATION_URL: sink.url, DEAD_LETTER_BUCKET: 'bench' });
    const blueprint = async () => {
      const body = blueprintTransform(decodeSubscriptionEvent(event));
      const response = await fetch(`${sink.url}/_bulk`, { method: 'POST', body });
      JSON.parse(await response.text());
    };
    const variant = process.env.FORWARDER_PROFILE_VARIANT === 'blueprint' ? 'blueprint' : 'forwarder';
    const handler = variant === 'blueprint' ? blueprint : forwarder;
    const context = { getRemainingTimeInMillis: () => 60000, awsRequestId: 'bench' } as Context;
    const cpu = process.cpuUsage();
    for (let i = 0; i < INVOCATIONS; i++) await handler(event, context);
    const used = process.cpuUsage(cpu);
    console.log(
      `${variant}, ${mix} mix: ${INVOCATIONS} invocations of ${EVENTS} events, ${((used.user + used.system) / (INVOCATIONS * EVENTS)).toFixed(2)} us CPU per event`,
    );
  } finally {
    sink.stop();
  }
}
