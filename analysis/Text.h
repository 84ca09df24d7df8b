// Text: number formatting shared by the CLI report and the editor features, and the size parser.
//
// Counts get thousands separators ("10,000"); byte sizes use binary units with
// at most three significant digits ("625 KiB"), and the long form gives the
// exact figure beside it ("640,000 B (625 KiB)"). Keeping these in one place
// means hovers, code lenses and the report never disagree on a number.
//
// Threading: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace heaplens {

// 10000 -> "10,000".
std::string formatCount(uint64_t n);
// Signed counts: -1234 -> "-1,234", 1234 -> "+1,234" when showPlus.
std::string formatSignedCount(int64_t n, bool showPlus = false);
// A number with thousands separators; non-integers keep up to `decimals` decimals (trailing zeros dropped).
std::string formatNumber(double v, int decimals = 2);
// 640000 -> "625 KiB"; 512 -> "512 B"; 1536 -> "1.5 KiB".
std::string formatBytes(uint64_t bytes);
// Signed byte deltas: "+1.5 MiB", "-625 KiB", "0 B".
std::string formatSignedBytes(int64_t bytes);
// 640000 -> "640,000 B (625 KiB)"; below 1 KiB just "512 B".
std::string formatBytesLong(uint64_t bytes);
// The one plural rule: (1, "object") -> "1 object"; (10000, "object") -> "10,000 objects".
// `many` is the plural when it is not `one` + "s" ("1 entry", "2 entries").
std::string plural(uint64_t n, std::string_view one, std::string_view many = {});
// "4G", "512M", "1.5GiB", "300k", "1048576" -> bytes. Units are powers of 1024 (K, M, G, T, with an
// optional "B" or "iB", any case); no unit means bytes. nullopt when it is not such a size or overflows.
std::optional<uint64_t> parseByteSize(std::string_view text);
// 0.21 -> "21%"; 0.015 -> "1.5%"; 0.00012 -> "0.01%"; 0 -> "0%".
std::string formatPercent(double fraction);
// The value of one hexadecimal digit (either case), or -1.
int hexValue(char c);

}  // namespace heaplens
