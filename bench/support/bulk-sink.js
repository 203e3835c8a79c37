'use strict';
/**
 * A loopback sink for the benchmarks, run in its own process so that its parsing does not
 * share the event loop with the code being measured. POST to .../_bulk answers per-item 201s
 * with their _id like Elasticsearch; any other POST (one document) answers 201. Prints its port on stdout.
 */
const http = require('node:http');
const { gunzipSync } = require('node:zlib');

let documents = 0;
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    let body = Buffer.concat(chunks);
    if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
    if (req.url.startsWith('/stats')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ documents }));
    }
    if (!req.url.split('?')[0].endsWith('/_bulk')) {
      JSON.parse(body.toString('utf8'));
      documents++;
      res.writeHead(201, { 'content-type': 'application/json' });
      return res.end('{"result":"created"}');
    }
    const lines = body.toString('utf8').split('\n');
    const items = [];
    for (let i = 0; i + 1 < lines.length; i += 2) {
      const action = JSON.parse(lines[i]);
      JSON.parse(lines[i + 1]);
      const name = Object.keys(action)[0];
      // The forwarder matches items to documents by _id (libs/forwarding/destinations/bulk-answer.ts).
      items.push(`{"${name}":{"_id":${JSON.stringify(action[name]._id)},"status":201}}`);
    }
    documents += items.length;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(`{"errors":false,"items":[${items.join(',')}]}`);
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
