/** The parts of an ARN this project needs: `arn:<partition>:<service>:<region>:<account>:<resource>`. */
export interface ArnParts {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  resource: string;
}

const ARN = /^arn:([a-z-]+):([a-z0-9-]+):([a-z0-9-]*):(\d*):(.+)$/;

export function parseArn(arn: string | undefined): ArnParts | undefined {
  const match = arn === undefined ? null : ARN.exec(arn);
  if (match === null) return undefined;
  const [, partition = '', service = '', region = '', accountId = '', resource = ''] = match;
  return { partition, service, region, accountId, resource };
}

/** Console host per partition: China and GovCloud have their own domains. */
export function consoleBase(partition: string, region: string): string {
  if (partition === 'aws-cn') return `https://${region}.console.amazonaws.cn`;
  if (partition === 'aws-us-gov') return `https://${region}.console.amazonaws-us-gov.com`;
  return `https://${region}.console.aws.amazon.com`;
}
