// The agent's task file (`observatory agent --tasks FILE`): vantages, client profiles,
// politeness and the probes to run, in YAML. The format is documented in agent/README.md.
#pragma once

#include "agent/politeness/politeness.h"
#include "agent/runtime/runner.h"

#include <string>
#include <vector>

namespace eo::agent {

struct PlannedProbe {
  std::string vantage_id;
  ProbeRequest request;
};

struct AgentPlan {
  std::string agent_id;
  std::vector<Vantage> vantages;
  PolitenessConfig politeness;
  std::vector<PlannedProbe> probes;             // expanded: target x probe x vantage x round
  std::chrono::milliseconds timeout{10'000};    // one wait
  std::chrono::milliseconds deadline{120'000};  // one whole probe
};

// run_tasks: the file must list tasks. serve_coordinator: the same file without `tasks` (they
// come from the coordinator), for the agent id, vantages, politeness and timeouts.
enum class TaskFileUse { run_tasks, serve_coordinator };

// Throws std::invalid_argument naming the file and the bad setting.
AgentPlan load_task_file(const std::string& path, TaskFileUse use = TaskFileUse::run_tasks);
AgentPlan parse_task_yaml(const std::string& text, const std::string& origin,
                          TaskFileUse use = TaskFileUse::run_tasks);

}  // namespace eo::agent
