// The event hub's kept events: a watcher resuming gets each result as it
// was, even after the store the events viewed is gone (a zone that steps
// down rebuilds its engine).
#include "api/events.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace zg::api {
namespace {

// Collects what a watcher is sent.
class Collected final : public EventSink {
 public:
  bool send(std::string text) override {
    text_ += text;
    return true;
  }
  bool open() const override { return true; }
  void end() override {}
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

TEST(EventHub, KeptEventsOwnTheirResultsOnceTold) {
  EventHub hub(10);
  auto store = std::make_unique<std::string>(R"({"id":"d-1","seq":1,"status":"accepted"})");
  std::vector<Event> events;
  events.push_back(make_event(1, "declare", "2024-05-06T10:00:00+08:00", "", *store));
  events.push_back(make_event_keeping(2, "release", "2024-05-06T11:00:00+08:00", "",
                                      R"({"id":"r-1","seq":2,"status":"accepted"})"));
  hub.publish(std::move(events));
  hub.own_results();
  // The store the first event viewed is overwritten and freed.
  store->assign(store->size(), 'x');
  store.reset();
  auto watcher = std::make_shared<Collected>();
  Principal officer;
  officer.role = Role::kOfficer;
  hub.watch(watcher, officer, 0);
  EXPECT_NE(watcher->text().find(R"("result":{"id":"d-1","seq":1,"status":"accepted"})"),
            std::string::npos)
      << watcher->text();
  EXPECT_NE(watcher->text().find(R"("result":{"id":"r-1","seq":2,"status":"accepted"})"),
            std::string::npos)
      << watcher->text();
  hub.forget_watchers();
}

}  // namespace
}  // namespace zg::api
