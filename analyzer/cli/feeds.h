// Imported IOC feeds on the analyzer's side: stored indicators to and from ioc::FeedIndicator,
// and loading the current feeds into an IocSet so `scan`, `analyze` and `pcap` match them
// beside the IOC files (the feed name and version are the indicator's source, its comment the
// description, its techniques and playbook those of the feed's metadata).
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "analyzer/ioc/feed.h"
#include "analyzer/ioc/ioc_set.h"
#include "analyzer/store/feeds.h"
#include "analyzer/store/store.h"

namespace beffroi::cli {

// "feed NAME v3": how detections name the feed an indicator came from.
std::string FeedSourceName(const store::FeedRow& feed);

store::IndicatorRow ToIndicatorRow(const ioc::FeedIndicator& indicator);
ioc::FeedIndicator FromIndicatorRow(const store::IndicatorRow& row);

// Adds the indicators of the current feeds (or only of `feed_id`) to `set`; returns how many
// loaded. Indicators this build refuses become warnings of the set.
Result<std::size_t> LoadStoredFeeds(store::Store& store, ioc::IocSet& set,
                                    std::optional<std::int64_t> feed_id = std::nullopt);

}  // namespace beffroi::cli
