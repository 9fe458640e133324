// RuleSet: file discovery, namespaces, compile errors, include refusal and the compiled cache.
#include "analyzer/yara/rule_set.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "analyzer/yara/sources.h"
#include "common/hash.h"
#include "tests/unit/analyzer/yara/test_util.h"

namespace beffroi::yara {
namespace {

namespace fs = std::filesystem;
using testing::Bytes;
using testing::MatchNames;
using testing::TempDir;
using testing::YaraTest;

constexpr const char* kRuleA = "rule a { strings: $x = \"alpha\" condition: $x }\n";
constexpr const char* kRuleB = "rule b { strings: $x = \"bravo\" condition: $x }\n";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class RuleSetTest : public YaraTest {
 protected:
  TempDir dir_;
};

TEST_F(RuleSetTest, LoadsRuleFilesFromDirectoriesRecursivelyAndSorted) {
  dir_.Write("rules/z.yar", kRuleA);
  dir_.Write("rules/sub/b.yara", kRuleB);
  dir_.Write("rules/README.txt", "not a rule file");
  dir_.Write("rules/UPPER.YAR", "rule upper { condition: false }\n");
  auto set = RuleSet::Load({(dir_.path() / "rules").string()}, "");
  ASSERT_TRUE(set.ok()) << set.error().message;
  std::string base = (dir_.path() / "rules").string();
  EXPECT_EQ((*set)->files(),
            (std::vector<std::string>{base + "/UPPER.YAR", base + "/sub/b.yara", base + "/z.yar"}));
  ASSERT_EQ((*set)->rules().size(), 3u);
  EXPECT_EQ((*set)->FindRule("b")->ns, "sub/b");
  EXPECT_EQ((*set)->FindRule("a")->ns, "rules/z");
  EXPECT_EQ((*set)->FindRule("nope"), nullptr);
  EXPECT_FALSE((*set)->loaded_from_cache());
  EXPECT_EQ((*set)->cache_path(), "");
  EXPECT_EQ((*set)->hash().size(), 64u);
}

TEST_F(RuleSetTest, SameRuleNameInTwoFilesIsFineThanksToNamespaces) {
  std::string one = dir_.Write("ransomware/x.yar", kRuleA);
  std::string two = dir_.Write("webshells/x.yar", kRuleA);
  auto set = RuleSet::Load({one, two}, "");
  ASSERT_TRUE(set.ok()) << set.error().message;
  ASSERT_EQ((*set)->rules().size(), 2u);
  EXPECT_EQ((*set)->rules()[0].ns, "ransomware/x");
  EXPECT_EQ((*set)->rules()[1].ns, "webshells/x");
}

TEST_F(RuleSetTest, AFileNamedExplicitlyIsTakenWhateverItsExtension) {
  std::string path = dir_.Write("custom.rules", kRuleA);
  auto set = RuleSet::Load({path, path}, "");
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ((*set)->files(), std::vector<std::string>{path});
}

TEST_F(RuleSetTest, MissingPathsAndEmptyDirectoriesAreNotFound) {
  auto missing = RuleSet::Load({(dir_.path() / "nope").string()}, "");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("nope"), std::string::npos);

  fs::create_directories(dir_.path() / "empty");
  auto empty = RuleSet::Load({(dir_.path() / "empty").string()}, "");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kNotFound);
}

TEST_F(RuleSetTest, CompileErrorsListFileLineAndMessageForEveryFile) {
  std::string good = dir_.Write("r/a_good.yar", kRuleA);
  std::string bad1 = dir_.Write("r/b_bad.yar",
                                "rule ok { condition: true }\n"
                                "rule broken { strings: $x = \"x\" condition: $y }\n");
  std::string bad2 = dir_.Write("r/c_bad.yar", "\n\nrule also_broken {\n condition: nope }\n");
  auto set = RuleSet::Load({(dir_.path() / "r").string()}, "");
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(set.error().message,
            bad1 + ":2: undefined string \"$y\"\n" + bad2 + ":4: undefined identifier \"nope\"");
}

TEST_F(RuleSetTest, SyntaxErrorNamesTheLine) {
  std::string bad = dir_.Write("syntax.yar", "rule a {\n  condition:\n    true and\n}\n");
  auto set = RuleSet::Load({bad}, "");
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.error().message.rfind(bad + ":4: ", 0), 0u) << set.error().message;
  EXPECT_EQ(set.error().message.find('\n'), std::string::npos);
}

TEST_F(RuleSetTest, IncludeDirectivesAreRefused) {
  dir_.Write("other.yar", kRuleB);
  std::string main = dir_.Write("main.yar", "include \"other.yar\"\n" + std::string(kRuleA));
  auto set = RuleSet::Load({main}, "");
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.error().message.find(main + ":1: "), std::string::npos) << set.error().message;
  EXPECT_NE(set.error().message.find("include directives are disabled"), std::string::npos)
      << set.error().message;
}

TEST_F(RuleSetTest, HashDependsOnContentAndPathOnly) {
  std::string a = dir_.Write("a/r.yar", kRuleA);
  auto first = RuleSet::Load({a}, "");
  auto again = RuleSet::Load({a}, "");
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_EQ((*first)->hash(), (*again)->hash());

  std::string b = dir_.Write("b/r.yar", kRuleA);
  auto moved = RuleSet::Load({b}, "");
  ASSERT_TRUE(moved.ok());
  EXPECT_NE((*first)->hash(), (*moved)->hash());

  dir_.Write("a/r.yar", kRuleB);
  auto edited = RuleSet::Load({a}, "");
  ASSERT_TRUE(edited.ok());
  EXPECT_NE((*first)->hash(), (*edited)->hash());
}

class RuleCacheTest : public RuleSetTest {
 protected:
  void SetUp() override {
    RuleSetTest::SetUp();
    rules_ = dir_.Write("rules/r.yar", std::string(kRuleA) + kRuleB);
    cache_ = (dir_.path() / "cache").string();
  }
  void ExpectWorks(const RuleSet& set) {
    auto scanner = Scanner::Create(std::shared_ptr<const RuleSet>(&set, [](const RuleSet*) {}));
    ASSERT_TRUE(scanner.ok());
    auto result = (*scanner)->ScanBuffer(Bytes("alpha and bravo"), {});
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(MatchNames(*result), (std::set<std::string>{"a", "b"}));
  }
  std::string rules_;
  std::string cache_;
};

TEST_F(RuleCacheTest, SecondLoadComesFromTheCacheFile) {
  auto first = RuleSet::Load({rules_}, cache_);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_FALSE((*first)->loaded_from_cache());
  EXPECT_EQ((*first)->cache_path(), cache_ + "/" + (*first)->hash() + ".yarc");
  EXPECT_TRUE(fs::is_regular_file((*first)->cache_path()));
  EXPECT_EQ((*first)->cache_status(), "");

  auto second = RuleSet::Load({rules_}, cache_);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_TRUE((*second)->loaded_from_cache());
  EXPECT_EQ((*second)->hash(), (*first)->hash());
  ASSERT_EQ((*second)->rules().size(), 2u);
  EXPECT_EQ((*second)->rules()[0].name, "a");
  EXPECT_EQ((*second)->rules()[0].ns, "rules/r");
  ExpectWorks(**second);
  // Only one compiled file, no staging leftovers.
  EXPECT_EQ(std::distance(fs::directory_iterator(cache_), fs::directory_iterator()), 1);
}

TEST_F(RuleCacheTest, EditedSourcesGiveANewHashAndARebuild) {
  auto first = RuleSet::Load({rules_}, cache_);
  ASSERT_TRUE(first.ok());
  dir_.Write("rules/r.yar", std::string(kRuleA) + "rule c { condition: false }\n");
  auto edited = RuleSet::Load({rules_}, cache_);
  ASSERT_TRUE(edited.ok()) << edited.error().message;
  EXPECT_NE((*edited)->hash(), (*first)->hash());
  EXPECT_FALSE((*edited)->loaded_from_cache());
  EXPECT_NE((*edited)->FindRule("c"), nullptr);
  EXPECT_EQ((*edited)->FindRule("b"), nullptr);
  EXPECT_TRUE(fs::is_regular_file((*edited)->cache_path()));
}

TEST_F(RuleCacheTest, CorruptCacheFileIsIgnoredAndRebuilt) {
  auto first = RuleSet::Load({rules_}, cache_);
  ASSERT_TRUE(first.ok());
  std::string path = (*first)->cache_path();
  std::string good = ReadAll(path);
  ASSERT_GT(good.size(), 200u);

  std::string flipped = good;
  flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x5a);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << flipped;
  auto rebuilt = RuleSet::Load({rules_}, cache_);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.error().message;
  EXPECT_FALSE((*rebuilt)->loaded_from_cache());
  EXPECT_NE((*rebuilt)->cache_status().find("checksum mismatch"), std::string::npos);
  EXPECT_EQ((*rebuilt)->hash(), (*first)->hash());
  ExpectWorks(**rebuilt);

  auto after = RuleSet::Load({rules_}, cache_);
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE((*after)->loaded_from_cache()) << "the rebuild rewrote the cache";
}

TEST_F(RuleCacheTest, TruncatedOrForeignCacheFilesAreRebuilt) {
  auto first = RuleSet::Load({rules_}, cache_);
  ASSERT_TRUE(first.ok());
  std::string path = (*first)->cache_path();
  std::string good = ReadAll(path);

  for (const std::string& bad :
       {std::string(), good.substr(0, 40), good.substr(0, good.size() / 2)}) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bad;
    auto rebuilt = RuleSet::Load({rules_}, cache_);
    ASSERT_TRUE(rebuilt.ok());
    EXPECT_FALSE((*rebuilt)->loaded_from_cache());
    ExpectWorks(**rebuilt);
  }

  // A well-formed trailer over bytes libyara does not recognise: libyara refuses them.
  std::string garbage = "not a compiled yara rule set";
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      << garbage << "BFYARC01" << Sha256Hex(garbage);
  auto rebuilt = RuleSet::Load({rules_}, cache_);
  ASSERT_TRUE(rebuilt.ok());
  EXPECT_FALSE((*rebuilt)->loaded_from_cache());
  EXPECT_NE((*rebuilt)->cache_status().find("ERROR_"), std::string::npos)
      << (*rebuilt)->cache_status();
  ExpectWorks(**rebuilt);
}

TEST_F(RuleCacheTest, UnwritableCacheIsNotAnError) {
  std::string blocker = dir_.Write("blocker", "a file where the cache directory should be");
  auto set = RuleSet::Load({rules_}, blocker);
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_FALSE((*set)->loaded_from_cache());
  EXPECT_NE((*set)->cache_status(), "");
  ExpectWorks(**set);
}

TEST_F(RuleSetTest, CompileFromMemory) {
  auto set = RuleSet::Compile(kRuleA, "inline.yar");
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ((*set)->rules().size(), 1u);
  EXPECT_EQ((*set)->hash().size(), 64u);
  auto bad = RuleSet::Compile("rule x { condition: y }", "inline.yar");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "inline.yar:1: undefined identifier \"y\"");
  auto empty = RuleSet::Compile("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE((*empty)->rules().empty());
}

TEST_F(RuleSetTest, OnlyOneLibraryPerProcess) {
  auto second = YaraLibrary::Init();
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(YaraLibrary::Version().find('.'), std::string_view::npos);
}

TEST(RuleSources, NamespaceIsParentFolderAndStem) {
  EXPECT_EQ(NamespaceFor("rules/ransomware/ryuk.yar"), "ransomware/ryuk");
  EXPECT_EQ(NamespaceFor("/abs/rules/tooling/cobalt_strike.yara"), "tooling/cobalt_strike");
  EXPECT_EQ(NamespaceFor("ryuk.yar"), "ryuk");
  EXPECT_EQ(NamespaceFor("./ryuk.yar"), "ryuk");
}

}  // namespace
}  // namespace beffroi::yara
