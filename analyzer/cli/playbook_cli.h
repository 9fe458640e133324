// Helpers shared by the `beffroi playbook` subcommands (playbook.cc, playbook_run.cc).
#pragma once

#include <string>
#include <vector>

#include "analyzer/playbook/catalog.h"
#include "common/result.h"

namespace beffroi::cli {

// --playbooks DIR, else the bundled folder ("" when there is none).
std::string PlaybooksDir(const std::string& flag);
// The catalog of that folder; files that fail lint are reported on stderr and left out.
Result<playbook::Catalog> LoadCatalog(const std::string& flag);

struct ResolvedPlaybook {
  playbook::Catalog catalog;  // owns the playbook
  const playbook::Playbook* playbook = nullptr;
};
// A name (short name, alias, CACAO id, file stem) from the catalog, or a FILE path, which is
// loaded on its own and refused with its faults when it does not lint clean.
Result<ResolvedPlaybook> ResolvePlaybook(const std::string& name, const std::string& dir_flag);
// The names of agent_definitions keys, comma-separated (a key the playbook lacks as itself).
std::string RoleNames(const playbook::Playbook& p, const std::vector<std::string>& roles);
// 2 for a playbook that fails lint, 1 otherwise.
int PlaybookErrorExit(const Error& error);

}  // namespace beffroi::cli
