#include "risk/model.h"

#include <algorithm>

namespace zg::risk {
namespace {

constexpr std::string_view kMagic = "zonegate risk model 1\n";

}  // namespace

std::string Model::text() const {
  std::string out(kMagic);
  out += "features " + std::to_string(Encoder::feature_count());
  for (const std::string& name : Encoder::feature_names()) out += " " + name;
  out += "\n";
  encoder.write(out);
  forest.write(out);
  return out;
}

Result<Model> Model::parse(std::string_view text) {
  if (!text.starts_with(kMagic)) {
    return Result<Model>(ErrorCode::kInvalidField, "",
                         "not a Zonegate risk model (it should begin \"zonegate risk model 1\")");
  }
  text.remove_prefix(kMagic.size());
  const size_t end = text.find('\n');
  std::string expected = "features " + std::to_string(Encoder::feature_count());
  for (const std::string& name : Encoder::feature_names()) expected += " " + name;
  if (end == std::string_view::npos || text.substr(0, end) != expected) {
    return Result<Model>(ErrorCode::kInvalidField, "",
                         "the model was made for other features (another Zonegate version?)");
  }
  text.remove_prefix(end + 1);
  Result<Encoder> encoder = Encoder::read(text);
  if (!encoder.is_ok()) return encoder.status();
  Result<Forest> forest = Forest::read(text, Encoder::feature_count());
  if (!forest.is_ok()) return forest.status();
  if (!text.empty()) {
    return Result<Model>(ErrorCode::kInvalidField, "", "the model file is damaged: it runs on");
  }
  return Model{std::move(encoder).value(), std::move(forest).value()};
}

std::vector<double> Model::score(const std::vector<DeclarationRow>& rows) const {
  // In blocks: the features of a few hundred rows stay in cache while the
  // forest walks them.
  constexpr size_t kBlock = 256;
  const size_t width = Encoder::feature_count();
  std::vector<float> x(kBlock * width);
  std::vector<double> scores(rows.size());
  for (size_t start = 0; start < rows.size(); start += kBlock) {
    const size_t n = std::min(kBlock, rows.size() - start);
    for (size_t i = 0; i < n; ++i) encoder.encode(rows[start + i], x.data() + i * width);
    forest.probabilities(x.data(), n, width, scores.data() + start);
  }
  return scores;
}

}  // namespace zg::risk
