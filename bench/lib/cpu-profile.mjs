// Preloaded (node --import) into a process a bench starts, when BENCH_API_PROFILE names a directory:
// profiles the whole run with the inspector and writes a .cpuprofile there when the process exits
// (open it in Chrome DevTools or speedscope). NODE_OPTIONS may not carry --cpu-prof, hence this.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.BENCH_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  process.on('exit', () => {
    // The inspector answers synchronously on the main thread, so this completes before the exit.
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(join(dir, `api-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
