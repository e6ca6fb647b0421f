// Runs one coroutine to completion on a fresh io_context: the synchronous bridge tests need.
#pragma once

#include <utility>  // Boost 1.74's awaitable.hpp needs std::exchange declared first.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <functional>

namespace eo::test {

template <typename T>
T run(std::function<boost::asio::awaitable<T>(boost::asio::io_context&)> make) {
  boost::asio::io_context io;
  auto future = boost::asio::co_spawn(io, make(io), boost::asio::use_future);
  io.run();
  return future.get();
}

}  // namespace eo::test
