import type { FieldType } from './convert';

/** A named regex parser with the time format and types its fields usually need. */
export interface BuiltinParser {
  pattern: string;
  time?: { field: string; format: string };
  types?: Record<string, FieldType>;
}

const ACCESS_LOG_TIME = { field: 'time', format: '%d/%b/%Y:%H:%M:%S %z' };
const API_LOG_TIME = { field: 'time', format: '%Y-%m-%d %H:%M:%S GMT%z (GMT)' };
const ACCESS_LOG_TYPES: Record<string, FieldType> = { code: 'integer', size: 'integer' };

/**
 * Field names follow Fluent Bit's parsers.conf (apache2, nginx) so rules written for Fluent Bit
 * keep their field names. `accesslog`, `api_request` and `api_response` are the parsers of the
 * EKS pipeline this project replaces (Fluent Bit -> Kinesis -> Logstash).
 */
export const BUILTIN_PARSERS: Readonly<Record<string, BuiltinParser>> = {
  // 127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326 "http://ref/" "Mozilla/4.08"
  apache_combined: {
    pattern:
      '^(?<host>[^ ]*) [^ ]* (?<user>[^ ]*) \\[(?<time>[^\\]]*)\\] "(?<method>\\S+)(?: +(?<path>[^ ]*) +\\S*)?" (?<code>[^ ]*) (?<size>[^ ]*)(?: "(?<referer>[^"]*)" "(?<agent>[^"]*)")?$',
    time: ACCESS_LOG_TIME,
    types: ACCESS_LOG_TYPES,
  },
  // nginx's default log_format combined: $remote_addr - $remote_user [$time_local] "$request" ...
  nginx_combined: {
    pattern:
      '^(?<remote>[^ ]*) (?<host>[^ ]*) (?<user>[^ ]*) \\[(?<time>[^\\]]*)\\] "(?<method>\\S+)(?: +(?<path>[^"]*?)(?: +\\S*)?)?" (?<code>[^ ]*) (?<size>[^ ]*)(?: "(?<referer>[^"]*)" "(?<agent>[^"]*)")?',
    time: ACCESS_LOG_TIME,
    types: ACCESS_LOG_TYPES,
  },
  // A Fluent Bit `accesslog` parser found in the wild, verbatim (its referer allows no spaces).
  accesslog: {
    pattern:
      '^(?<remote>[^ ]*) (?<host>[^ ]*) (?<user>[^ ]*) \\[(?<time>[^\\]]*)\\] "(?<method>\\S+)(?: +(?<path>[^\\"]*?)(?: +\\S*)?)?" (?<code>[^ ]*) (?<size>[^ ]*) "(?<referer>[^ ]*)" "(?<agent>[^\\"]*)"',
    time: ACCESS_LOG_TIME,
    types: ACCESS_LOG_TYPES,
  },
  // [2020-10-20 03:56:08 GMT+0900 (GMT)] GET /api/v1/x {"a":1}
  api_request: {
    pattern: '^\\[(?<time>[^\\]]*)\\] (?<method>\\S+) (?<path>[^ ]*) (?<logdata>.*)$',
    time: API_LOG_TIME,
  },
  // [2020-10-20 03:56:08 GMT+0900 (GMT)] 200 SUCCESS /api/v1/x {"a":1}
  api_response: {
    pattern: '^\\[(?<time>[^\\]]*)\\] (?<code>\\S+) (?<result>\\S+) (?<path>[^ ]*) (?<logdata>.*)$',
    time: API_LOG_TIME,
    types: { code: 'integer' },
  },
};
