#pragma once
// Holds a fake engine's first answers until the test lets them go: how the end-to-end tests
// keep a job "in the engine" while they stop, kill, cancel or restart the bot around it.
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "engine/testing/fake_openai.h"

namespace tgscribe::testing {

// Counts the requests that arrived (before their answer) and the answers given; the held ones
// wait until open().
struct EngineGate {
  std::atomic<int> arrived{0};
  std::atomic<int> answered{0};
  std::atomic<bool> opened{false};
  void open() { opened = true; }
};

// A responder whose first `held` requests wait until `gate` is opened or `cap` has passed (a
// test that fails before opening it must not hang the fake), then get a transcript; later
// requests get one at once.
inline engine::testing::FakeScript::Responder gated_responder(std::shared_ptr<EngineGate> gate,
                                                              int held, std::chrono::seconds cap) {
  return [gate, held, cap](const engine::testing::FakeRequest&) {
    if (gate->arrived++ < held) {
      auto deadline = std::chrono::steady_clock::now() + cap;
      while (!gate->opened && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
    ++gate->answered;
    return engine::testing::FakeReply::transcript();
  };
}

// Makes `engine` hold its first `held` answers (see gated_responder); the returned gate lets
// them go. Open it in TearDown too: held answers must go before the fakes stop.
inline std::shared_ptr<EngineGate> hold_first(engine::testing::FakeOpenAi& engine, int held,
                                              std::chrono::seconds cap) {
  auto gate = std::make_shared<EngineGate>();
  engine.set_responder(gated_responder(gate, held, cap));
  return gate;
}

}  // namespace tgscribe::testing
