// ai@6 (middleware spec v3, MockLanguageModelV3), under the machine's Node 20.
import { aiSuite } from './ai-suite.mjs';

aiSuite({ pkg: 'ai6', spec: 'v3', mockName: 'MockLanguageModelV3' });
