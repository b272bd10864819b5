import { createRequire as __mgCreateRequire } from 'node:module';import { fileURLToPath as __mgFileURLToPath } from 'node:url';import { dirname as __mgDirname } from 'node:path';const require = __mgCreateRequire(import.meta.url);const __filename = __mgFileURLToPath(import.meta.url);const __dirname = __mgDirname(__filename);
import {
  renderJson,
  renderSarifJson,
  renderTerminal,
  runGate,
  stderrLogger
} from "./chunk-MIH5EI3Z.js";
import {
  readConfig
} from "./chunk-KGVRODM3.js";
import "./chunk-PO73KUUA.js";
import "./chunk-NNRNKADP.js";
export {
  readConfig,
  renderJson,
  renderSarifJson,
  renderTerminal,
  runGate,
  stderrLogger
};
