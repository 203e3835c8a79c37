import { CreateBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { useMoto } from '../support/moto';

describe('moto', () => {
  const moto = useMoto();
  it('answers S3 and is empty after the reset', async () => {
    const s3 = new S3Client(moto.clientConfig);
    expect((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).toEqual([]);
    await s3.send(
      new CreateBucketCommand({
        Bucket: 'smoke',
        CreateBucketConfiguration: { LocationConstraint: 'ap-northeast-2' },
      }),
    );
    expect((await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual(['smoke']);
  });
});
