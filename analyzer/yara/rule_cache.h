// The on-disk cache of compiled rule sets: CACHE_DIR/<rule-set key>.yarc.
//
// Internal to analyzer/yara. A cache file is libyara's own saved form (yr_rules_save_stream)
// followed by a trailer: the 8 bytes "BFYARC01" and the 64-hex-digit SHA-256 of the saved
// bytes. The trailer is checked before libyara sees a byte, so a truncated, corrupted or
// foreign file is reported as kCorrupt (and rebuilt by the caller) instead of being fed to
// yr_rules_load. Files are written through a temporary file and a rename, so concurrent
// loaders see a whole file or none. Compiled rules are code for libyara: the cache directory
// must be writable only by us (the caller's job). Thread-safe.
#pragma once

#include <string>

#include "analyzer/yara/handles.h"
#include "common/result.h"

namespace beffroi::yara {

// kNotFound when there is no such file, kCorrupt when it fails the trailer check or libyara
// refuses it.
Result<YrRulesPtr> LoadCachedRules(const std::string& path);

// Creates the directory if needed; errors are kIo.
Status SaveCachedRules(YR_RULES* rules, const std::string& path);

}  // namespace beffroi::yara
