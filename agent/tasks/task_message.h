// A task leased by the coordinator (eo.v1.Task) as the probes the engine runs.
#pragma once

#include "agent/tasks/task_file.h"

#include "eo/v1/task.pb.h"

#include <vector>

namespace eo::agent {

// One PlannedProbe per ProbeSpec of the task, from the task's vantage. Throws
// std::invalid_argument naming what is wrong (no probes, no host, a transport other than
// TCP/TLS): the coordinator sent a task this agent cannot run.
std::vector<PlannedProbe> probes_from_task(const v1::Task& task, std::chrono::milliseconds timeout,
                                           std::chrono::milliseconds deadline);

}  // namespace eo::agent
