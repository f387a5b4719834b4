// `orbit server`: opens the engine on a data directory and serves until SIGINT/SIGTERM.
import { Engine } from '../../index.ts';
import type { Command } from '../command.ts';

export const serverCommand: Command = {
  name: 'server',
  summary: 'Start the Orbit server',
  usage: '[--data <dir>]',
  options: {
    data: { type: 'string', short: 'd', description: 'Data directory (default ./data or $ORBIT_DATA)', valueName: 'dir' },
  },
  notes: 'Wire protocols attach to this engine as they land; SIGINT or SIGTERM flushes storage and exits 0.',
  async run(args) {
    const dataDir = (args.values['data'] as string | undefined) ?? process.env['ORBIT_DATA'] ?? './data';
    const engine = await Engine.open({ dataDir });
    console.log(`orbit: engine ready, data in ${dataDir}`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await engine.close();
    console.log('orbit: stopped');
    return 0;
  },
};
