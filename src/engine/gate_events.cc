#include "engine/gate_events.h"

#include <algorithm>
#include <utility>

namespace zg {

void GateEventLog::add(DeclarationGateEvent event) {
  if (latest.size() == kGateEventsKept) {
    latest.erase(latest.begin());
    earlier += 1;
  }
  latest.push_back(std::move(event));
}

std::string gate_event_reasons(const gate::Decision& decision, std::string_view declaration) {
  std::vector<std::string_view> codes;
  bool other = false;
  for (const gate::Reason& reason : decision.reasons) {
    if (!reason.declaration.empty() && reason.declaration != declaration) {
      other = true;
      continue;
    }
    // A code once: "channel_not_designated" can come for the channel and
    // for the declaration, and the story lists why, not how often.
    if (std::find(codes.begin(), codes.end(), reason.code) == codes.end()) {
      codes.push_back(reason.code);
    }
  }
  if (other) codes.push_back(kOtherDeclarationReason);
  std::string text;
  for (std::string_view code : codes) {
    if (!text.empty()) text += ' ';
    text += code;
  }
  return text;
}

}  // namespace zg
