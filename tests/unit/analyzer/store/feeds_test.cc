// FeedStore (versions, supersede, remove, indicators of current feeds) and ObservationStore
// (host observations, reads for retro-hunts, search by field and time span).
#include "analyzer/store/feeds.h"

#include <gtest/gtest.h>

#include "store_fixture.h"

namespace beffroi::store {
namespace {

using testing::At;

class FeedStoreTest : public testing::StoreTest {
 protected:
  FeedRow Feed(std::string name, std::string sha) {
    FeedRow r;
    r.name = std::move(name);
    r.format = "misp";
    r.content_sha256 = std::move(sha);
    r.imported_at = At(2);
    r.imported_by = "analyst";
    return r;
  }
  std::int64_t Bundle() {
    BundleRow b;
    b.bundle_uuid = "u";
    b.manifest_sha256 = std::string(64, 'a');
    b.host_id = host_;
    b.agent = "beffroi-host";
    b.agent_version = "0.1.0";
    b.started = At(1);
    b.ended = At(1);
    b.path = "/b";
    b.ingested_at = At(2);
    b.ingested_by = "t";
    auto id = store_->InsertBundle(b);
    EXPECT_TRUE(id.ok()) << id.error().message;
    return id.ok() ? *id : 0;
  }
};

TEST_F(FeedStoreTest, VersionsSupersedeAndRemoveKeepHistoryAndDropIndicators) {
  FeedStore feeds(store_->db());
  auto v1 = feeds.InsertFeed(Feed("circl", "h1"));
  ASSERT_TRUE(v1.ok()) << v1.error().message;
  EXPECT_EQ(v1->version, 1);
  ASSERT_TRUE(feeds
                  .InsertIndicators(v1->id, {{"domain", "evil.example", 80, "c2", "[]", {}, "r"},
                                             {"domain", "evil.example", 90, "dup", "[]", {}, "r"},
                                             {"sha256", std::string(64, 'b'), 75, "", "[\"T1486\"]",
                                              "ransomware", "r2"}})
                  .ok());
  auto v2 = feeds.InsertFeed(Feed("circl", "h2"));
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(v2->version, 2);
  ASSERT_TRUE(feeds.InsertIndicators(v2->id, {{"ip", "203.0.113.7", 70, "", "[]", {}, ""}}).ok());
  ASSERT_TRUE(feeds.Supersede(v1->id, v2->id).ok());
  EXPECT_EQ(Count("ioc_indicators"), 1);
  auto current = feeds.FindCurrent("circl");
  ASSERT_TRUE(current.ok() && current->has_value());
  EXPECT_EQ((*current)->version, 2);
  EXPECT_TRUE(feeds.FindCurrentByContent("h2")->has_value());
  EXPECT_FALSE(feeds.FindCurrentByContent("h1")->has_value());
  EXPECT_EQ((*feeds.Find("circl"))->id, v2->id);
  EXPECT_EQ((*feeds.Find(std::to_string(v1->id)))->version, 1);
  EXPECT_EQ(feeds.List(false)->size(), 1u);
  EXPECT_EQ(feeds.List(true)->size(), 2u);

  std::vector<std::string> seen;
  ASSERT_TRUE(feeds
                  .ForEachIndicator(std::nullopt,
                                    [&](const FeedRow& f, const IndicatorRow& i) {
                                      seen.push_back(f.name + ":" + i.type + ":" + i.value);
                                    })
                  .ok());
  EXPECT_EQ(seen, std::vector<std::string>{"circl:ip:203.0.113.7"});

  ASSERT_TRUE(feeds.Remove(v2->id, At(3)).ok());
  EXPECT_EQ(Count("ioc_indicators"), 0);
  EXPECT_FALSE(feeds.FindCurrent("circl")->has_value());
  EXPECT_EQ(*(*feeds.Find("circl"))->removed_at, At(3));
  EXPECT_EQ(Count("ioc_feeds"), 2);  // the history stays
}

TEST_F(FeedStoreTest, HostObservationsAreReadBackAndSearchedWithinATimeSpan) {
  std::int64_t bundle = Bundle();
  ObservationStore obs(store_->db());
  std::string sha(64, 'd');
  ASSERT_TRUE(obs.InsertHostObservations(
                     {{host_, bundle, "process", At(3), "rclone", "/tmp/.x/rclone", sha,
                       "/tmp/.x/rclone copy", std::nullopt, std::nullopt, std::nullopt, "{}"},
                      {host_, bundle, "socket", At(4), "nc", std::nullopt, std::nullopt,
                       std::nullopt, "198.51.100.4", 4444, "tcp", std::nullopt}})
                  .ok());
  std::vector<ObservationView> all;
  ASSERT_TRUE(obs.ForEach("host", [&](const ObservationView& v) { all.push_back(v); }).ok());
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].host_name, "fs01");
  EXPECT_EQ(all[0].source, "bundle");
  EXPECT_EQ(all[0].source_id, bundle);
  EXPECT_EQ(all[0].path, "/tmp/.x/rclone");
  EXPECT_EQ(all[1].port, 4444);

  ObservationQuery q;
  q.field = ObservationQuery::Field::kHash;
  q.value = sha;
  EXPECT_EQ(obs.Search(q)->size(), 1u);
  q.since = At(4);
  EXPECT_EQ(obs.Search(q)->size(), 0u);
  q.field = ObservationQuery::Field::kIp;
  q.value = "198.51.100.4";
  q.since = At(4);
  q.until = At(4);
  EXPECT_EQ(obs.Search(q)->size(), 1u);
  q.until = At(3, 23);
  EXPECT_EQ(obs.Search(q)->size(), 0u);

  ASSERT_TRUE(store_
                  ->InsertNetObservations({{host_, bundle, "dns", At(5), "udp", "10.0.0.5",
                                            "10.0.0.53", 53000, 53, "c2.evil.example"}})
                  .ok());
  ObservationQuery d;
  d.field = ObservationQuery::Field::kDomain;
  d.value = "evil.example";
  EXPECT_EQ(obs.Search(d)->size(), 0u);
  d.subdomains = true;
  EXPECT_EQ(obs.Search(d)->size(), 1u);
  auto addresses = obs.DistinctAddresses();
  ASSERT_TRUE(addresses.ok());
  EXPECT_EQ(addresses->size(), 3u);
  EXPECT_EQ(*obs.Count("net"), 1);
  EXPECT_FALSE(obs.ForEach("nope", [](const ObservationView&) {}).ok());
}

}  // namespace
}  // namespace beffroi::store
