// The discrete-event driver. See des_driver.hpp.
#include "simulator/des_driver.hpp"

#include <cassert>

#include "models/provider_model.hpp"
#include "simulator/event_queue.hpp"
#include "simulator/trace_recorder.hpp"

namespace llmsim {

namespace {

struct DesEvent {
  enum class Kind : std::uint8_t { timer, arrive, deliver };
  Kind kind;
  Timer timer;               // kind == timer
  std::uint64_t attempt_id;  // arrive / deliver
};

class DesDriver final : public ClientDriver {
 public:
  DesDriver(const Scenario& scenario, TraceRecorder* recorder)
      : scenario_(scenario),
        recorder_(recorder),
        half_rtt_(from_millis(scenario.client.network.rtt_ms / 2.0)) {
    for (std::size_t i = 0; i < routed_provider_count(scenario); ++i) {
      providers_.emplace_back(scenario.providers[i], provider_seed(scenario.seed, scenario.providers, i));
      sizes_.push_back(response_sizes_of(scenario.providers[i], scenario.request.stream, scenario.client.network));
    }
  }

  SimulationResult run() {
    ClientModel client(scenario_, *this);
    client_ = &client;
    client.start();
    std::uint64_t events = 0;
    while (!queue_.empty()) {
      auto event = queue_.pop();
      now_ = event.time;
      dispatch(event.payload);
      ++events;
    }
    assert(client.is_finished());
    SimulationResult result;
    result.phases = client.phases();
    result.limiter_levels = limiter_levels();
    result.events = events;
    result.end = now_;
    client_ = nullptr;
    return result;
  }

  TimePoint now() const override { return now_; }

  void schedule(TimePoint at, Timer timer) override {
    queue_.push(at, DesEvent{DesEvent::Kind::timer, timer, 0});
  }

  void send(std::uint64_t attempt_id, std::size_t provider, const ProviderRequest& request,
            std::int64_t) override {
    InFlight& slot = slot_for(attempt_id);
    slot.attempt_id = attempt_id;
    slot.provider = provider;
    slot.request = request;
    slot.is_abandoned = false;
    if (recorder_) recorder_->on_send(attempt_id, client_->attempt_context(attempt_id), now_, request.prompt_tokens);
    if (half_rtt_.count() == 0) {
      arrive(attempt_id);  // no network delay: the provider decides now, one event fewer
    } else {
      queue_.push(now_ + half_rtt_, DesEvent{DesEvent::Kind::arrive, {}, attempt_id});
    }
  }

  void abandon(std::uint64_t attempt_id) override {
    slot_for(attempt_id).is_abandoned = true;
    if (recorder_) recorder_->on_abandon(attempt_id, now_);
  }

 private:
  struct InFlight {
    std::uint64_t attempt_id = 0;
    std::size_t provider = 0;
    bool is_abandoned = false;
    ProviderRequest request;
    AttemptResult result;
  };

  InFlight& slot_for(std::uint64_t attempt_id) {
    const auto index = static_cast<std::size_t>(attempt_id & 0xffffffffU);
    if (index >= in_flight_.size()) in_flight_.resize(index + 1);
    return in_flight_[index];
  }

  // The recorder's facts of an attempt's response, kept beside its slot only when recording.
  ResponseFacts& facts_for(std::uint64_t attempt_id) {
    const auto index = static_cast<std::size_t>(attempt_id & 0xffffffffU);
    if (index >= facts_.size()) facts_.resize(index + 1);
    return facts_[index];
  }

  // The attempt reaches the provider, which decides at once; its response is delivered later.
  void arrive(std::uint64_t attempt_id) {
    InFlight& slot = slot_for(attempt_id);
    // A slot reused before its old attempt arrived (a timeout shorter than half the round
    // trip) has lost that attempt's request: it never reaches the provider.
    if (slot.attempt_id != attempt_id) return;
    // The request reaches the provider even when the client has already given up on it.
    ProviderModel& provider = providers_[slot.provider];
    const Decision decision = provider.decide(slot.request, now_);
    if (decision.outcome == Outcome::hang || slot.is_abandoned) return;
    slot.result = from_decision(decision, provider.config(), sizes_[slot.provider], now_);
    slot.result.first_byte = now_ + first_byte_after(decision) + half_rtt_;
    if (recorder_) facts_for(attempt_id) =
        facts_of_decision(decision, now_ + first_byte_after(decision) + half_rtt_, provider.config().api);
    queue_.push(now_ + decision.total_time() + half_rtt_,
                DesEvent{DesEvent::Kind::deliver, {}, attempt_id});
  }

  void dispatch(const DesEvent& event) {
    switch (event.kind) {
      case DesEvent::Kind::timer:
        client_->on_timer(event.timer);
        return;
      case DesEvent::Kind::arrive:
        arrive(event.attempt_id);
        return;
      case DesEvent::Kind::deliver: {
        InFlight& slot = slot_for(event.attempt_id);
        if (slot.attempt_id != event.attempt_id || slot.is_abandoned) return;
        const AttemptResult result = slot.result;
        if (recorder_) recorder_->on_response(event.attempt_id, now_, result, facts_for(event.attempt_id));
        client_->on_result(event.attempt_id, result);
        return;
      }
    }
  }

  // Returns every limiter's levels by key; with several providers, keys are "PROVIDER/KEY".
  std::map<std::string, std::vector<LimiterLevel>> limiter_levels() {
    if (providers_.size() == 1) return providers_.front().levels(now_);
    std::map<std::string, std::vector<LimiterLevel>> levels;
    for (ProviderModel& provider : providers_) {
      for (auto& [key, level] : provider.levels(now_)) {
        levels.emplace(provider.config().name + "/" + key, std::move(level));
      }
    }
    return levels;
  }

  // Returns when the first byte of a decided response leaves the provider: the first token of a
  // completion, the whole response otherwise.
  static Duration first_byte_after(const Decision& decision) {
    const bool has_tokens = decision.outcome == Outcome::ok || decision.outcome == Outcome::drop_mid_stream;
    return has_tokens ? decision.time_to_first_token : decision.total_time();
  }

  const Scenario& scenario_;
  TraceRecorder* recorder_;
  std::vector<ProviderModel> providers_;  // one per provider requests may go to
  std::vector<wire::ResponseSizes> sizes_;  // the sizes of each one's answers
  Duration half_rtt_;
  EventQueue<DesEvent> queue_;
  TimePoint now_{};
  ClientModel* client_ = nullptr;
  std::vector<InFlight> in_flight_;
  std::vector<ResponseFacts> facts_;  // recording only
};

}  // namespace

SimulationResult simulate(const Scenario& scenario, TraceRecorder* recorder) {
  return DesDriver(scenario, recorder).run();
}

}  // namespace llmsim
