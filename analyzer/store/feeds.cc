#include "analyzer/store/feeds.h"

#include <string>

#include "analyzer/store/feeds_internal.h"

namespace beffroi::store {
namespace {

constexpr std::string_view kFeedColumns =
    "id, name, version, format, sources_json, content_sha256, imported_at, imported_by, "
    "indicator_count, counts_json, superseded_by, removed_at";

FeedRow ReadFeed(const Statement& s, int at = 0) {
  FeedRow r;
  r.id = s.ColumnInt64(at + 0);
  r.name = s.ColumnText(at + 1);
  r.version = s.ColumnInt64(at + 2);
  r.format = s.ColumnText(at + 3);
  r.sources_json = s.ColumnText(at + 4);
  r.content_sha256 = s.ColumnText(at + 5);
  r.imported_at = s.ColumnText(at + 6);
  r.imported_by = s.ColumnText(at + 7);
  r.indicator_count = s.ColumnInt64(at + 8);
  r.counts_json = s.ColumnText(at + 9);
  r.superseded_by = s.ColumnOptionalInt64(at + 10);
  r.removed_at = s.ColumnOptionalText(at + 11);
  return r;
}

Result<std::optional<FeedRow>> OneFeed(Database& db, const std::string& sql,
                                       const std::function<void(Statement&)>& bind) {
  auto stmt = db.Prepare(sql);
  if (!stmt) return stmt.error();
  bind(*stmt);
  auto row = stmt->Step();
  if (!row) return row.error();
  if (!*row) return std::optional<FeedRow>();
  return std::optional<FeedRow>(ReadFeed(*stmt));
}

const std::string kCurrent = " superseded_by IS NULL AND removed_at IS NULL ";

}  // namespace

Result<std::optional<FeedRow>> FeedStore::FindCurrent(std::string_view name) {
  auto r = OneFeed(db_,
                   "SELECT " + std::string(kFeedColumns) + " FROM ioc_feeds WHERE name = ?1 AND" +
                       kCurrent + "ORDER BY version DESC LIMIT 1",
                   [&](Statement& s) { s.BindText(1, name); });
  if (!r) return Context("find feed", r.error());
  return r;
}

Result<std::optional<FeedRow>> FeedStore::FindCurrentByContent(std::string_view sha) {
  auto r = OneFeed(db_,
                   "SELECT " + std::string(kFeedColumns) +
                       " FROM ioc_feeds WHERE content_sha256 = ?1 AND" + kCurrent + "LIMIT 1",
                   [&](Statement& s) { s.BindText(1, sha); });
  if (!r) return Context("find feed", r.error());
  return r;
}

Result<std::optional<FeedRow>> FeedStore::Find(std::string_view id_or_name) {
  bool numeric = !id_or_name.empty() && id_or_name.size() < 18 &&
                 id_or_name.find_first_not_of("0123456789") == std::string_view::npos;
  if (numeric) {
    auto r = OneFeed(db_, "SELECT " + std::string(kFeedColumns) + " FROM ioc_feeds WHERE id = ?1",
                     [&](Statement& s) { s.BindInt64(1, std::stoll(std::string(id_or_name))); });
    if (!r) return Context("find feed", r.error());
    if (r->has_value()) return r;
  }
  auto r =
      OneFeed(db_,
              "SELECT " + std::string(kFeedColumns) + " FROM ioc_feeds WHERE name = ?1 ORDER BY (" +
                  kCurrent + ") DESC, version DESC LIMIT 1",
              [&](Statement& s) { s.BindText(1, id_or_name); });
  if (!r) return Context("find feed", r.error());
  return r;
}

Result<FeedRow> FeedStore::InsertFeed(FeedRow row) {
  auto tx = Transaction::Begin(db_);
  if (!tx) return Context("insert feed", tx.error());
  auto last = db_.Prepare("SELECT coalesce(max(version), 0) FROM ioc_feeds WHERE name = ?1");
  if (!last) return Context("insert feed", last.error());
  last->BindText(1, row.name);
  auto step = last->Step();
  if (!step) return Context("insert feed", step.error());
  row.version = last->ColumnInt64(0) + 1;
  auto ins = db_.Prepare(
      "INSERT INTO ioc_feeds (name, version, format, sources_json, content_sha256, imported_at, "
      "imported_by, indicator_count, counts_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  if (!ins) return Context("insert feed", ins.error());
  ins->BindText(1, row.name)
      .BindInt64(2, row.version)
      .BindText(3, row.format)
      .BindText(4, row.sources_json)
      .BindText(5, row.content_sha256)
      .BindText(6, row.imported_at)
      .BindText(7, row.imported_by)
      .BindInt64(8, row.indicator_count)
      .BindText(9, row.counts_json);
  if (Status s = ins->Run(); !s.ok()) return Context("insert feed " + row.name, s.error());
  row.id = db_.last_insert_rowid();
  if (Status s = tx->Commit(); !s.ok()) return Context("insert feed", s.error());
  return row;
}

Status FeedStore::InsertIndicators(std::int64_t feed_id, const std::vector<IndicatorRow>& rows) {
  if (rows.empty()) return OkStatus();
  auto tx = Transaction::Begin(db_);
  if (!tx) return Context("insert indicators", tx.error());
  auto stmt = db_.Prepare(
      "INSERT OR IGNORE INTO ioc_indicators (feed_id, type, value, score, comment, "
      "techniques_json, playbook, ref) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!stmt) return Context("insert indicators", stmt.error());
  for (const IndicatorRow& r : rows) {
    stmt->Reset();
    stmt->BindInt64(1, feed_id)
        .BindTextNoCopy(2, r.type)
        .BindTextNoCopy(3, r.value)
        .BindInt64(4, r.score)
        .BindTextNoCopy(5, r.comment)
        .BindTextNoCopy(6, r.techniques_json)
        .BindOptionalTextNoCopy(7, r.playbook)
        .BindTextNoCopy(8, r.ref);
    if (Status s = stmt->Run(); !s.ok()) return Context("insert indicator", s.error());
  }
  if (Status s = tx->Commit(); !s.ok()) return Context("insert indicators", s.error());
  return OkStatus();
}

Status FeedStore::Supersede(std::int64_t old_id, std::int64_t new_id) {
  auto tx = Transaction::Begin(db_);
  if (!tx) return Context("supersede feed", tx.error());
  auto upd = db_.Prepare("UPDATE ioc_feeds SET superseded_by = ?2 WHERE id = ?1");
  if (!upd) return Context("supersede feed", upd.error());
  upd->BindInt64(1, old_id).BindInt64(2, new_id);
  if (Status s = upd->Run(); !s.ok()) return Context("supersede feed", s.error());
  auto del = db_.Prepare("DELETE FROM ioc_indicators WHERE feed_id = ?1");
  if (!del) return Context("supersede feed", del.error());
  del->BindInt64(1, old_id);
  if (Status s = del->Run(); !s.ok()) return Context("supersede feed", s.error());
  return tx->Commit();
}

Status FeedStore::Remove(std::int64_t feed_id, std::string_view at) {
  auto tx = Transaction::Begin(db_);
  if (!tx) return Context("remove feed", tx.error());
  auto upd = db_.Prepare("UPDATE ioc_feeds SET removed_at = ?2 WHERE id = ?1");
  if (!upd) return Context("remove feed", upd.error());
  upd->BindInt64(1, feed_id).BindText(2, at);
  if (Status s = upd->Run(); !s.ok()) return Context("remove feed", s.error());
  auto del = db_.Prepare("DELETE FROM ioc_indicators WHERE feed_id = ?1");
  if (!del) return Context("remove feed", del.error());
  del->BindInt64(1, feed_id);
  if (Status s = del->Run(); !s.ok()) return Context("remove feed", s.error());
  return tx->Commit();
}

Result<std::vector<FeedRow>> FeedStore::List(bool all) {
  std::string sql = "SELECT " + std::string(kFeedColumns) + " FROM ioc_feeds" +
                    (all ? std::string() : " WHERE" + kCurrent) + " ORDER BY name, version";
  auto stmt = db_.Prepare(sql);
  if (!stmt) return Context("list feeds", stmt.error());
  std::vector<FeedRow> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return Context("list feeds", row.error());
    if (!*row) break;
    out.push_back(ReadFeed(*stmt));
  }
  return out;
}

Status FeedStore::ForEachIndicator(
    std::optional<std::int64_t> feed_id,
    const std::function<void(const FeedRow&, const IndicatorRow&)>& fn) {
  std::string sql = "SELECT " + std::string(kFeedColumns) + " FROM ioc_feeds WHERE " +
                    (feed_id ? "id = ?1" : kCurrent) + " ORDER BY id";
  auto feeds = db_.Prepare(sql);
  if (!feeds) return Context("read feeds", feeds.error());
  if (feed_id) feeds->BindInt64(1, *feed_id);
  std::vector<FeedRow> rows;
  for (;;) {
    auto row = feeds->Step();
    if (!row) return Context("read feeds", row.error());
    if (!*row) break;
    rows.push_back(ReadFeed(*feeds));
  }
  auto stmt = db_.Prepare(
      "SELECT type, value, score, comment, techniques_json, playbook, ref FROM ioc_indicators "
      "WHERE feed_id = ?1");
  if (!stmt) return Context("read indicators", stmt.error());
  IndicatorRow r;
  for (const FeedRow& feed : rows) {
    stmt->Reset();
    stmt->BindInt64(1, feed.id);
    for (;;) {
      auto row = stmt->Step();
      if (!row) return Context("read indicators of feed " + feed.name, row.error());
      if (!*row) break;
      r.type = stmt->ColumnText(0);
      r.value = stmt->ColumnText(1);
      r.score = stmt->ColumnInt64(2);
      r.comment = stmt->ColumnText(3);
      r.techniques_json = stmt->ColumnText(4);
      r.playbook = stmt->ColumnOptionalText(5);
      r.ref = stmt->ColumnText(6);
      fn(feed, r);
    }
  }
  return OkStatus();
}

}  // namespace beffroi::store
