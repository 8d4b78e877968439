// What the zone's officers, auditors and admins see of risk selection
// (docs/risk.md): GET /v1/risk — the settings in force, the lanes'
// declarations and capacity, how often each reason hit, and the findings.
// Risk criteria are confidential: this view is never an enterprise's.
#pragma once

#include "api/http.h"
#include "core/time.h"
#include "engine/engine.h"

namespace zg::api {

HttpResponse risk_view(const Engine& engine, Date today);

}  // namespace zg::api
