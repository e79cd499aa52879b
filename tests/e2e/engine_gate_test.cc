// The e2e tests' engine gate on its own: which answers it holds, until when, and what it
// counts.
#include "e2e/engine_gate.h"

#include <gtest/gtest.h>

#include <future>

#include "support/test_util.h"

namespace tgscribe::testing {
namespace {

using std::chrono::seconds;

TEST(EngineGate, HoldsTheFirstAnswersUntilOpenedAndLetsLaterOnesThrough) {
  auto gate = std::make_shared<EngineGate>();
  auto respond = gated_responder(gate, 1, seconds(60));
  engine::testing::FakeRequest request;
  auto held = std::async(std::launch::async, [&] { return respond(request); });
  ASSERT_TRUE(eventually([&] { return gate->arrived == 1; }, seconds(10)));
  // The second request is past the held ones: answered while the first still waits.
  respond(request);
  EXPECT_EQ(gate->arrived, 2);
  EXPECT_EQ(gate->answered, 1);  // the second's: the first still waits
  gate->open();
  ASSERT_EQ(held.wait_for(seconds(10)), std::future_status::ready);
  EXPECT_EQ(held.get().kind, engine::testing::FakeReply::transcript().kind);
  EXPECT_EQ(gate->answered, 2);
}

TEST(EngineGate, AHeldAnswerGoesWhenItsCapHasPassed) {
  auto gate = std::make_shared<EngineGate>();
  auto respond = gated_responder(gate, 1, seconds(0));
  engine::testing::FakeRequest request;
  respond(request);  // never opened: the zero cap lets it go at once
  EXPECT_EQ(gate->arrived, 1);
  EXPECT_EQ(gate->answered, 1);
  EXPECT_FALSE(gate->opened);
}

}  // namespace
}  // namespace tgscribe::testing
