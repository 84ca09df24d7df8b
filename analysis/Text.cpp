// Text: number formatting shared by the CLI report and the editor features, and the size parser.
//
// Threading: pure functions.
#include "analysis/Text.h"

#include <cctype>
#include <cmath>
#include <cstdio>

namespace heaplens {

namespace {

// "1.50" -> "1.5", "2.00" -> "2".
std::string trimZeros(std::string s) {
  if (s.find('.') == std::string::npos) return s;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return trimZeros(buf);
}

// Up to three significant digits for a value in [0, 1024).
std::string threeDigits(double v) {
  if (v >= 99.95) return fixed(v, 0);
  if (v >= 9.995) return fixed(v, 1);
  return fixed(v, 2);
}

}  // namespace

std::string formatCount(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  out.reserve(digits.size() + digits.size() / 3);
  const size_t lead = digits.size() % 3;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && i % 3 == lead) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string formatSignedCount(int64_t n, bool showPlus) {
  std::string sign = n < 0 ? "-" : (showPlus && n > 0 ? "+" : "");
  return sign.append(formatCount(n < 0 ? static_cast<uint64_t>(-(n + 1)) + 1 : static_cast<uint64_t>(n)));
}

std::string formatNumber(double v, int decimals) {
  if (!std::isfinite(v)) return std::isnan(v) ? "NaN" : (v < 0 ? "-inf" : "inf");
  const bool negative = v < 0;
  double a = std::fabs(v);
  double whole = std::floor(a);
  double frac = a - whole;
  std::string fracText;
  if (decimals > 0 && frac > 0) {
    std::string f = fixed(frac, decimals);  // "0.25", "1" when it rounds up
    if (f == "1") {
      whole += 1;
    } else if (f.size() > 1) {
      fracText = f.substr(1);  // ".25"
    }
  }
  std::string out = whole < 1.8e19 ? formatCount(static_cast<uint64_t>(whole)) : fixed(whole, 0);
  if (negative && (whole != 0 || !fracText.empty())) out.insert(out.begin(), '-');
  return out + fracText;
}

std::string formatBytes(uint64_t bytes) {
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double v = static_cast<double>(bytes);
  int unit = 0;
  // Move up a unit also when rounding to three digits would print "1024".
  while (unit < 6 && v >= 1023.5) {
    v /= 1024.0;
    ++unit;
  }
  return threeDigits(v) + " " + kUnits[unit];
}

std::string formatSignedBytes(int64_t bytes) {
  if (bytes == 0) return "0 B";
  std::string sign = bytes < 0 ? "-" : "+";
  return sign.append(formatBytes(bytes < 0 ? static_cast<uint64_t>(-(bytes + 1)) + 1 : static_cast<uint64_t>(bytes)));
}

std::string formatBytesLong(uint64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " B";
  return formatCount(bytes) + " B (" + formatBytes(bytes) + ")";
}

std::string formatPercent(double fraction) {
  if (!std::isfinite(fraction)) return "?%";
  const double p = fraction * 100.0;
  const double a = std::fabs(p);
  if (a == 0) return "0%";
  if (a >= 9.95) return fixed(p, 0) + "%";
  if (a >= 0.995) return fixed(p, 1) + "%";
  if (a >= 0.005) return fixed(p, 2) + "%";
  return p > 0 ? "<0.01%" : ">-0.01%";
}

std::string plural(uint64_t n, std::string_view one, std::string_view many) {
  std::string out = formatCount(n) + " ";
  if (n == 1) return out.append(one);
  if (!many.empty()) return out.append(many);
  return out.append(one).append("s");
}

std::optional<uint64_t> parseByteSize(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  size_t i = 0;
  long double value = 0;
  bool digits = false;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, digits = true) value = value * 10 + (text[i] - '0');
  if (i < text.size() && text[i] == '.') {
    long double scale = 0.1L;
    for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, digits = true, scale /= 10)
      value += (text[i] - '0') * scale;
  }
  if (!digits) return std::nullopt;
  std::string unit;
  for (; i < text.size(); ++i) unit += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
  if (!unit.empty() && unit.front() == ' ') unit.erase(0, unit.find_first_not_of(' '));
  long double factor = 1;
  if (!unit.empty() && unit != "b") {
    static constexpr std::string_view kUnits = "kmgt";
    size_t power = kUnits.find(unit.front());
    std::string_view rest = std::string_view(unit).substr(1);
    if (power == std::string_view::npos || !(rest.empty() || rest == "b" || rest == "ib")) return std::nullopt;
    for (size_t p = 0; p <= power; ++p) factor *= 1024;
  }
  long double bytes = value * factor;
  if (bytes >= 18446744073709551615.0L) return std::nullopt;
  return static_cast<uint64_t>(bytes);
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace heaplens
