import { loadDocumentConfig } from '../../libs/forwarding/documents/config';
import { loadSubscriberConfig } from '../../libs/subscriber';

describe('loadSubscriberConfig', () => {
  it('has no target without prefixes, and reads each target it has', () => {
    expect(loadSubscriberConfig({}).targets).toEqual([]);
    const config = loadSubscriberConfig({
      SUBSCRIBE_EXCLUDE_PREFIXES: '/aws/lambda/logpipe-dev-',
      SUBSCRIBE_FORWARDER_PREFIXES: '/ecs/, /aws/lambda/',
      SUBSCRIBE_FORWARDER_DESTINATION_ARN: 'arn:aws:lambda:ap-northeast-2:123456789012:function:f',
      SUBSCRIBE_FORWARDER_FILTER_NAME: 'logpipe-dev-forwarder',
    });
    expect(config.targets).toEqual([
      {
        name: 'forwarder',
        prefixes: ['/ecs/', '/aws/lambda/'],
        destinationArn: 'arn:aws:lambda:ap-northeast-2:123456789012:function:f',
        filterName: 'logpipe-dev-forwarder',
        filterPattern: '',
      },
    ]);
    expect(config.excludedPrefixes).toEqual(['/aws/lambda/logpipe-dev-']);
  });

  it('names the variable it refuses', () => {
    expect(() => loadSubscriberConfig({ SUBSCRIBE_FIREHOSE_PREFIXES: '/app/*' })).toThrow(
      'SUBSCRIBE_FIREHOSE_PREFIXES: "/app/*" is not a log group name prefix',
    );
    expect(() => loadSubscriberConfig({ SUBSCRIBE_FIREHOSE_PREFIXES: '/app/' })).toThrow(
      'SUBSCRIBE_FIREHOSE_DESTINATION_ARN: required with SUBSCRIBE_FIREHOSE_PREFIXES',
    );
  });
});

describe('SOURCE_ACCOUNTS', () => {
  it('reads account ids and names the variable for anything else', () => {
    expect(loadDocumentConfig({ SOURCE_ACCOUNTS: '111122223333,444455556666' }).sourceAccounts).toEqual([
      '111122223333',
      '444455556666',
    ]);
    expect(() => loadDocumentConfig({ SOURCE_ACCOUNTS: '1111' })).toThrow(
      'SOURCE_ACCOUNTS: "1111" is not a 12-digit AWS account id',
    );
  });
});
