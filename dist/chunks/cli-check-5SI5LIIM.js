import { createRequire as __mgCreateRequire } from 'node:module';import { fileURLToPath as __mgFileURLToPath } from 'node:url';import { dirname as __mgDirname } from 'node:path';const require = __mgCreateRequire(import.meta.url);const __filename = __mgFileURLToPath(import.meta.url);const __dirname = __mgDirname(__filename);
import {
  renderJson,
  renderProjectsSarifJson,
  renderProjectsTerminal,
  renderSarifJson,
  renderTerminal,
  runGate,
  runProjects,
  stderrLogger
} from "./chunk-MTAX5KK7.js";
import {
  readConfig
} from "./chunk-N2F45PA3.js";
import "./chunk-PO73KUUA.js";
import "./chunk-JYELVFV6.js";
import "./chunk-LT4XZVPY.js";
import "./chunk-NNRNKADP.js";
export {
  readConfig,
  renderJson,
  renderProjectsSarifJson,
  renderProjectsTerminal,
  renderSarifJson,
  renderTerminal,
  runGate,
  runProjects,
  stderrLogger
};
