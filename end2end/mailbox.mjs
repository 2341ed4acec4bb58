// A real SMTP server (npm `smtp-server`) on loopback for the tests, keeping what arrives and
// serving it as JSON: GET /messages lists them (parsed by `mailparser`), DELETE /messages
// forgets them. Prints one line when ready: `mailbox smtp=PORT http=PORT ca=PATH|-`.
//
// Options: --tls (offers STARTTLS with a self-signed certificate for 127.0.0.1 made now by
// openssl; `ca=` names it), --user NAME --password PASS (sign-in required), --refuse N (the
// first N messages get a temporary 451 refusal).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

const args = process.argv.slice(2);
const option = (name) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const tls = args.includes('--tls');
const user = option('--user');
const password = option('--password');
let refuse = Number(option('--refuse') ?? 0);

let key;
let cert;
let ca = '-';
if (tls) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbox-'));
  ca = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyFile, '-out', ca, '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-addext', 'basicConstraints=critical,CA:FALSE',
  ], { stdio: 'ignore' });
  key = fs.readFileSync(keyFile);
  cert = fs.readFileSync(ca);
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
}

const messages = [];
const smtp = new SMTPServer({
  logger: false,
  key,
  cert,
  disabledCommands: tls ? [] : ['STARTTLS', 'AUTH'],
  authOptional: !user,
  onAuth(auth, _session, done) {
    if (auth.username === user && auth.password === password) {
      done(null, { user: auth.username });
    } else {
      done(new Error('Invalid username or password'));
    }
  },
  onData(stream, session, done) {
    simpleParser(stream).then((mail) => {
      if (refuse > 0) {
        refuse -= 1;
        const error = new Error('Try again later');
        error.responseCode = 451;
        done(error);
        return;
      }
      messages.push({
        from: mail.from?.text ?? '',
        to: (mail.to?.value ?? []).map((to) => to.address),
        subject: mail.subject ?? '',
        text: mail.text ?? '',
        html: typeof mail.html === 'string' ? mail.html : '',
        secure: session.secure,
        user: session.user ?? null,
      });
      done();
    }, done);
  },
});

// A client that refuses the certificate, or hangs up, is a test's business, not a crash.
smtp.on('error', (error) => console.error(`mailbox: ${error.message}`));

const api = http.createServer((request, response) => {
  if (request.url !== '/messages') {
    response.writeHead(404).end();
  } else if (request.method === 'DELETE') {
    messages.length = 0;
    response.writeHead(204).end();
  } else {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(messages));
  }
});

smtp.listen(0, '127.0.0.1', () => {
  api.listen(0, '127.0.0.1', () => {
    console.log(`mailbox smtp=${smtp.server.address().port} http=${api.address().port} ca=${ca}`);
  });
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => process.exit(0));
}
