import { createRequire as __mgCreateRequire } from 'node:module';import { fileURLToPath as __mgFileURLToPath } from 'node:url';import { dirname as __mgDirname } from 'node:path';const require = __mgCreateRequire(import.meta.url);const __filename = __mgFileURLToPath(import.meta.url);const __dirname = __mgDirname(__filename);
import {
  GateError,
  oneLine
} from "./chunk-LT4XZVPY.js";

// src/output-file.ts
import { writeFileSync } from "node:fs";
function writeOutputFile(input, path, text) {
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw new GateError(`${input}: cannot write ${path}: ${oneLine(error)}`, input);
  }
}

export {
  writeOutputFile
};
