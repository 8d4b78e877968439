// GET /v1/figures: declarations and their value by movement (so by line)
// and by lane, for a date range — what the dashboard shows beside the taxes
// by day, each figure leading to its declarations (docs/web.md).
#pragma once

#include "api/http.h"
#include "core/time.h"
#include "engine/engine.h"

namespace zg::api {

HttpResponse declaration_figures_view(const Engine& engine, Date from, Date to);

}  // namespace zg::api
