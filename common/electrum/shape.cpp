// Reads the raw layout of one JSON-RPC line (key order, spacing, nesting depth) in one pass.
#include "common/electrum/shape.h"

#include <algorithm>
#include <vector>

namespace eo::electrum {
namespace {

bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Keeps the shape printable and splittable on ',' whatever bytes a hostile key holds.
void append_key(std::string& out, std::string_view key) {
  for (const char c : key) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u > 0x7e || c == ',' ? '?' : c);
  }
}

// Collects the keys of the one object whose layout the shape reports.
class KeyRecorder {
 public:
  explicit KeyRecorder(ResponseShape& shape) : shape_(shape) {}

  void add(std::string_view key) {
    if (keys_.size() == kShapeMaxKeys) {
      shape_.keys_truncated = true;
      return;
    }
    if (key.size() > kShapeMaxKeyBytes) {
      key = key.substr(0, kShapeMaxKeyBytes);
      shape_.keys_truncated = true;
    }
    if (std::find(keys_.begin(), keys_.end(), key) != keys_.end()) shape_.duplicate_keys = true;
    keys_.push_back(key);
  }

  void finish() {
    for (std::size_t i = 0; i < keys_.size(); ++i) {
      if (i > 0) shape_.key_order.push_back(',');
      append_key(shape_.key_order, keys_[i]);
    }
  }

 private:
  ResponseShape& shape_;
  std::vector<std::string_view> keys_;
};

}  // namespace

// The scan follows JSON's lexical rules only as far as needed: strings (with backslash escapes)
// are skipped, brackets outside strings change the depth. For a valid prefix this depth equals
// the depth any JSON parser reaches, so stopping here protects the parser that runs after it.
ResponseShape scan_shape(std::string_view line, std::size_t max_depth) {
  ResponseShape shape;
  std::size_t begin = 0;
  while (begin < line.size() && is_json_space(line[begin])) ++begin;
  std::size_t end = line.size();
  while (end > begin && is_json_space(line[end - 1])) --end;
  shape.leading_whitespace = begin;
  shape.trailing_whitespace = line.size() - end;

  KeyRecorder keys(shape);
  std::size_t depth = 0;
  std::size_t record_depth = 0;  // depth of the object whose keys are recorded; 0: none (yet)
  bool keys_done = false;
  bool first_element = true;  // inside a batch, still before the first ',' at depth 1
  bool expect_key = false;
  bool in_string = false;
  bool escape = false;
  bool in_key = false;
  std::size_t key_start = 0;

  for (std::size_t i = begin; i < end; ++i) {
    const char c = line[i];
    if (in_string) {
      if (escape) {
        escape = false;
      } else if (c == '\\') {
        escape = true;
      } else if (c == '"') {
        in_string = false;
        if (in_key) keys.add(line.substr(key_start, i - key_start));
        in_key = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        if (record_depth != 0 && depth == record_depth && expect_key) {
          in_key = true;
          key_start = i + 1;
          expect_key = false;
        }
        break;
      case '{':
      case '[':
        if (++depth > max_depth) {
          shape.too_deep = true;
          shape.depth = depth;
          keys.finish();
          return shape;
        }
        shape.depth = std::max(shape.depth, depth);
        if (depth == 1 && c == '[') shape.batch = true;
        if (c == '{' && !keys_done && record_depth == 0 &&
            (depth == 1 || (depth == 2 && shape.batch && first_element))) {
          record_depth = depth;
          expect_key = true;
        }
        break;
      case '}':
      case ']':
        if (depth != 0 && depth == record_depth) {
          record_depth = 0;
          keys_done = true;
        }
        if (depth != 0) --depth;
        break;
      case ',':
        if (depth == record_depth) expect_key = true;
        if (depth == 1 && shape.batch) first_element = false;
        break;
      case ':':
        if (depth == record_depth) expect_key = false;
        break;
      default:
        if (is_json_space(c)) shape.compact = false;
        break;
    }
  }
  keys.finish();
  return shape;
}

}  // namespace eo::electrum
