"""moto's HTTP server (the app the moto_server command serves) on a free loopback port, for the
tests (started by tools/peers/moto.ts).

Prints the port on the first line of stdout, then serves until stdin closes: the test process
holds the other end of that pipe, so the server ends with it even when jest is killed outright.

Three corrections make moto 5.2.5's CloudWatch Logs export answer as the AWS API reference says
(docs/exporter.md, "moto"); everything else is moto's own behaviour:
- DescribeExportTasks honours statusCode (moto returns every task whatever the filter);
- CreateExportTask writes <prefix>/<taskId>/<stream>/000000.gz and <prefix>/aws-logs-write-test
  (moto writes <prefix>/<random uuid per stream>/... and the write test at the bucket root),
  also in a versioned bucket, where a key written before keeps its name after we move it;
- CreateExportTask honours logStreamNamePrefix (moto ignores it and exports every stream).
The export's content (one "<time> <message>" line per event, gzip) is still moto's code.
One in subscription filters: PutSubscriptionFilter with the name of a filter the group already
has updates it, also on a group holding two filters (moto checks the two-filter limit first and
refuses the update with LimitExceededException; AWS refuses only a third filter).
Two in CloudFormation (docs/deploy.md, "moto"): ValidateTemplate fails only on cfn-lint's
errors (moto fails it on any finding, warnings included, where AWS checks the syntax only), and
moto_cloudformation.py adds Firehose delivery streams, which a stack of ours references.
"""

import json
import os
import sys
import threading

os.environ.setdefault("TZ", "UTC")  # moto formats exported timestamps in local time

from moto.cloudformation import models as cfn_models  # noqa: E402
from moto.logs import models as logs_models  # noqa: E402
from moto.logs import responses as logs_responses  # noqa: E402
from moto.moto_server.threaded_moto_server import ThreadedMotoServer  # noqa: E402
from moto.s3.models import FakeDeleteMarker, s3_backends  # noqa: E402

import moto_cloudformation  # noqa: E402,F401  (registers CloudFormation types moto lacks)

_create_export_task = logs_models.LogsBackend.create_export_task


def live_objects(bucket):
    """The latest version of every key that is not deleted. A versioned bucket keeps a deleted
    key's name (with a delete marker), so "new key names" would miss a key written again."""
    latest = ((key, bucket.keys[key]) for key in list(bucket.keys.keys()))
    return {key: obj for key, obj in latest if not isinstance(obj, FakeDeleteMarker)}


def create_export_task(
    self, taskName, logGroupName, destination, destinationPrefix, fromTime, to, logStreamNamePrefix=None
):
    # moto validates the bucket and group, records the task and writes its objects; then move the
    # objects this call wrote to the keys AWS uses.
    s3 = s3_backends[self.account_id][self.partition]
    try:
        bucket = s3.get_bucket(destination)
    except Exception:  # no such bucket: moto's own call answers with the API's error
        return _create_export_task(self, taskName, logGroupName, destination, destinationPrefix, fromTime, to)
    group = self.groups.get(logGroupName)
    before = live_objects(bucket)
    all_streams = group.streams if group else None
    if group and logStreamNamePrefix:
        # moto exports every stream; AWS only those whose name starts with the prefix. The
        # group's stream table is narrowed for this call only (moto exports synchronously).
        group.streams = {n: s for n, s in all_streams.items() if n.startswith(logStreamNamePrefix)}
    try:
        task_id = _create_export_task(self, taskName, logGroupName, destination, destinationPrefix, fromTime, to)
    finally:
        if group:
            group.streams = all_streams
    for key, obj in live_objects(bucket).items():
        if before.get(key) is obj:
            continue
        if key == "aws-logs-write-test":
            target = f"{destinationPrefix}/aws-logs-write-test"
        else:
            # <prefix>/<uuid>/<stream with / as ->/000000.gz -> <prefix>/<taskId>/<stream>/000000.gz
            stream_part = key[len(destinationPrefix) + 1 :].split("/", 1)[1]
            target = f"{destinationPrefix}/{task_id}/{stream_part}"
        s3.delete_object(destination, key)
        s3.put_object(bucket_name=destination, key_name=target, value=obj.value)
    return task_id


def create_export_task_response(self):
    # moto's handler drops logStreamNamePrefix; pass it on (AWS exports only the matching streams).
    task_id = self.logs_backend.create_export_task(
        logGroupName=self._get_param("logGroupName"),
        fromTime=self._get_int_param("from"),
        to=self._get_int_param("to"),
        destination=self._get_param("destination"),
        destinationPrefix=self._get_param("destinationPrefix", "exportedlogs"),
        taskName=self._get_param("taskName"),
        logStreamNamePrefix=self._get_param("logStreamNamePrefix"),
    )
    return json.dumps({"taskId": str(task_id)})


def describe_export_tasks(self):
    body = json.loads(_describe_export_tasks(self))
    status = self._get_param("statusCode")
    if status:
        body["exportTasks"] = [t for t in body["exportTasks"] if t["status"]["code"] == status]
    return json.dumps(body)


_describe_export_tasks = logs_responses.LogsResponse.describe_export_tasks
logs_models.LogsBackend.create_export_task = create_export_task
logs_responses.LogsResponse.describe_export_tasks = describe_export_tasks
logs_responses.LogsResponse.create_export_task = create_export_task_response


_put_subscription_filter = logs_models.LogGroup.put_subscription_filter


def put_subscription_filter(self, filter_name, filter_pattern, destination_arn, role_arn):
    if filter_name in self.subscription_filters:
        self.subscription_filters[filter_name].update(filter_pattern, destination_arn, role_arn)
        return
    _put_subscription_filter(self, filter_name, filter_pattern, destination_arn, role_arn)


logs_models.LogGroup.put_subscription_filter = put_subscription_filter


_validate_template = cfn_models.CloudFormationBackend.validate_template


def validate_template(self, template):
    return [m for m in _validate_template(self, template) if m.rule.id.startswith("E")]


cfn_models.CloudFormationBackend.validate_template = validate_template


def main():
    # A port to listen on (npm run moto -- --port 5000); the tests take a free one.
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    print(server.get_host_and_port()[1], flush=True)
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    threading.Event().wait()


if __name__ == "__main__":
    main()
