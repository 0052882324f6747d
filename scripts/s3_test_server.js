// An S3-compatible server for the tests: @20minutes/s3rver (web/package.json), on
// 127.0.0.1 and a free port, data under DIR, one bucket. Writes the port to DIR/port once
// it listens; stops on SIGTERM. Usage: node s3_test_server.js DIR BUCKET
'use strict';
const fs = require('fs');
const path = require('path');
const S3rver = require(path.join(__dirname, '..', 'web', 'node_modules', '@20minutes', 's3rver'));

const [dir, bucket] = process.argv.slice(2);
if (!dir || !bucket) {
  console.error('usage: node s3_test_server.js DIR BUCKET');
  process.exit(2);
}
fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  directory: path.join(dir, 'data'),
  silent: false,
  configureBuckets: [{ name: bucket, configs: [] }],
});
server.run().then(({ port }) => {
  fs.writeFileSync(path.join(dir, 'port.tmp'), String(port));
  fs.renameSync(path.join(dir, 'port.tmp'), path.join(dir, 'port'));
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close().then(() => process.exit(0)));
}
