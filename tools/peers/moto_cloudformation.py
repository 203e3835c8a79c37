"""CloudFormation support moto 5.2.5 lacks for a type our stack references, built on moto's
own service backend (docs/deploy.md, "moto"). Only what a reference to the resource needs:
without it moto skips the resource and fails the stack on the first Fn::GetAtt to it.
"""

from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.firehose.models import firehose_backends


class FirehoseDeliveryStream(CloudFormationModel):
    """AWS::KinesisFirehose::DeliveryStream, created in moto's Firehose backend."""

    __module__ = "moto.firehose.cloudformation"  # moto names a model's service from its module

    def __init__(self, account_id: str, region: str, name: str):
        self.account_id, self.region, self.name = account_id, region, name
        self.arn = f"arn:aws:firehose:{region}:{account_id}:deliverystream/{name}"

    @property
    def physical_resource_id(self) -> str:
        return self.name

    @staticmethod
    def cloudformation_name_type() -> str:
        return "DeliveryStreamName"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::KinesisFirehose::DeliveryStream"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "Arn"

    def get_cfn_attribute(self, attribute_name: str) -> str:
        if attribute_name == "Arn":
            return self.arn
        raise KeyError(attribute_name)

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs: Any):
        props = cloudformation_json.get("Properties", {})
        name = props.get("DeliveryStreamName", resource_name)
        firehose_backends[account_id][region_name].create_delivery_stream(
            region_name,
            name,
            props.get("DeliveryStreamType", "DirectPut"),
            props.get("KinesisStreamSourceConfiguration"),
            props.get("DeliveryStreamEncryptionConfigurationInput"),
            props.get("S3DestinationConfiguration"),
            props.get("ExtendedS3DestinationConfiguration"),
            props.get("RedshiftDestinationConfiguration"),
            props.get("ElasticsearchDestinationConfiguration"),
            props.get("SplunkDestinationConfiguration"),
            props.get("HttpEndpointDestinationConfiguration"),
            props.get("SnowflakeDestinationConfiguration"),
            props.get("IcebergDestinationConfiguration"),
            props.get("Tags", []),
        )
        return cls(account_id, region_name, name)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        cls.delete_from_cloudformation_json(original_resource.name, cloudformation_json, account_id, region_name)
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        backend = firehose_backends[account_id][region_name]
        if resource_name in backend.delivery_streams:
            backend.delete_delivery_stream(resource_name)
