// TorNetwork: runs tornet.sh (its path and the authorities' key cache come from the build).
#include "tests/support/tornet.h"

#include "tests/support/process.h"

#include <cstdlib>
#include <sstream>

#include <unistd.h>

namespace eo::test {

TorNetwork::TorNetwork(const std::string& dir, int target_port) : dir_(dir) {
  auto run = run_command("TORNET_KEY_CACHE=" EO_TORNET_KEY_CACHE " timeout -k 5 120 " +
                         std::string(EO_TORNET_SCRIPT) + " start " + dir + " " +
                         std::to_string(target_port) + " " + std::to_string(getpid()));
  error_ = run.err;
  std::istringstream out(run.out);
  std::string line;
  while (std::getline(out, line)) {
    auto equals = line.find('=');
    if (equals != std::string::npos) values_[line.substr(0, equals)] = line.substr(equals + 1);
  }
  ready_ = run.status == 0 && values_.count("ONION") == 1;
}

TorNetwork::~TorNetwork() { run_command(std::string(EO_TORNET_SCRIPT) + " stop " + dir_); }

std::string TorNetwork::operator[](const std::string& key) const {
  auto it = values_.find(key);
  return it == values_.end() ? "" : it->second;
}

int TorNetwork::number(const std::string& key) const { return std::atoi((*this)[key].c_str()); }

}  // namespace eo::test
