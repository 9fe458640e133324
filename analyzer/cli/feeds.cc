#include "analyzer/cli/feeds.h"

#include <nlohmann/json.hpp>

#include "analyzer/cli/context.h"

namespace beffroi::cli {

std::string FeedSourceName(const store::FeedRow& feed) {
  return "feed " + feed.name + " v" + std::to_string(feed.version);
}

store::IndicatorRow ToIndicatorRow(const ioc::FeedIndicator& i) {
  store::IndicatorRow r;
  r.type = i.type;
  r.value = i.value;
  r.score = i.score;
  r.comment = i.comment;
  r.techniques_json = i.techniques.empty() ? "[]" : Dump(nlohmann::json(i.techniques));
  if (!i.playbook.empty()) r.playbook = i.playbook;
  r.ref = i.ref;
  return r;
}

ioc::FeedIndicator FromIndicatorRow(const store::IndicatorRow& r) {
  ioc::FeedIndicator i;
  i.type = r.type;
  i.value = r.value;
  i.score = static_cast<int>(std::clamp<std::int64_t>(r.score, ioc::kMinScore, ioc::kMaxScore));
  i.comment = r.comment;
  if (r.techniques_json != "[]") {
    nlohmann::json t = nlohmann::json::parse(r.techniques_json, nullptr, false);
    if (t.is_array()) {
      for (const auto& v : t)
        if (v.is_string()) i.techniques.push_back(v.get<std::string>());
    }
  }
  i.playbook = r.playbook.value_or("");
  i.ref = r.ref;
  return i;
}

Result<std::size_t> LoadStoredFeeds(store::Store& store, ioc::IocSet& set,
                                    std::optional<std::int64_t> feed_id) {
  store::FeedStore feeds(store.db());
  std::size_t loaded = 0;
  std::int64_t current = -1;
  std::string source;
  Status s = feeds.ForEachIndicator(
      feed_id, [&](const store::FeedRow& feed, const store::IndicatorRow& row) {
        if (feed.id != current) {
          if (current >= 0) set.CommitFeed();
          current = feed.id;
          source = FeedSourceName(feed);
        }
        if (set.AddFeedIndicator(source, FromIndicatorRow(row))) ++loaded;
      });
  set.CommitFeed();
  if (!s.ok()) return s.error();
  return loaded;
}

}  // namespace beffroi::cli
