// The baseline of the read benches: a bare Express 5 app answering one small JSON document, in a
// process of its own like the API. PORT and HOST from the environment; prints "listening" when ready.
import express from 'express';

const app = express();
app.disable('x-powered-by');
app.get('/bare', (_req, res) => {
  res.json({ items: [{ id: 1, title: 'Amélie' }], page: 1, total: 1 });
});
const server = app.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1', () => {
  process.stdout.write('listening\n');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
