// zonegate risk labels: the zone's inspected declarations as training rows.
#pragma once

#include <string>

namespace zg::cli {

// Writes the CSV to `out_path`, or to standard output when it is empty;
// the exit code.
int risk_labels(const std::string& data, const std::string& out_path);

}  // namespace zg::cli
