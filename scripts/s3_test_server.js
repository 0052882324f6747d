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
// s3rver 4 leaves out two things of S3's multipart model that the blob store relies on:
// AbortMultipartUpload (it answers 405) and NoSuchUpload (it takes parts for, and tries to
// complete, any upload id). Both are answered here, before its routes, as S3 answers them:
// DELETE ?uploadId removes the upload's parts (204), and any request naming an upload id
// that is not open is a 404 NoSuchUpload. (Signatures of these requests are not checked.)
const uploadsDir = (name) => server.store.getResourcePath(name, undefined, 'uploads');
function noSuchUpload(ctx, id) {
  ctx.status = 404;
  ctx.type = 'application/xml';
  ctx.body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchUpload</Code>' +
    `<Message>The specified upload does not exist.</Message><UploadId>${id}</UploadId></Error>`;
}
server.middleware.splice(1, 0, async (ctx, next) => {
  const id = ctx.query.uploadId;
  if (id === undefined) return next();
  const name = ctx.path.split('/')[1];
  const dir = /^[0-9a-f]+$/.test(id) ? path.join(uploadsDir(name), id) : null;
  if (!dir || !fs.existsSync(dir)) return noSuchUpload(ctx, id);
  if (ctx.method !== 'DELETE') return next();
  fs.rmSync(dir, { recursive: true, force: true });
  ctx.status = 204;
});
server.run().then(({ port }) => {
  fs.writeFileSync(path.join(dir, 'port.tmp'), String(port));
  fs.renameSync(path.join(dir, 'port.tmp'), path.join(dir, 'port'));
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close().then(() => process.exit(0)));
}
