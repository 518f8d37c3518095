// The router's fixture lookup (models/fixtures.hpp) and queued faults (/admin/faults).
#include "mockapi/fixture_query.hpp"
#include "mockapi/router.hpp"
#include "plans.hpp"

namespace llmsim::mockapi {

const Fixture* Router::find_fixture(std::string_view endpoint, const HttpRequest& request,
                                    ProviderRequest& provider_request) const {
  if (!options_.fixtures || options_.fixtures->empty()) return nullptr;
  const Fixture* fixture = options_.fixtures->find(fixture_query(endpoint, request.body));
  if (fixture == nullptr) return nullptr;
  const FixtureAnswer& answer = fixture->answer;
  const bool is_error = answer.error || (answer.recorded && answer.recorded->status >= 400);
  // An error answer is the fault: the provider's random ones are not drawn on top (a fault
  // forced by x-llmsim-fault or queued by /admin/faults still wins).
  if (is_error && !provider_request.forced) provider_request.forced = Outcome::ok;
  return fixture;
}

Duration Router::apply_queued_fault(std::string_view endpoint, ProviderRequest& provider_request,
                                    const HttpRequest& request) {
  if (request.fault) return Duration{0};  // the header names this request's fault itself
  const auto fault = faults_.take(endpoint, provider_request.model, provider_request.key);
  if (!fault) return Duration{0};
  if (fault->fault != "slow") {
    provider_request.forced = parse_forced_fault(fault->fault);
    provider_request.forced_limit = fault->limit;
    return Duration{0};
  }
  provider_request.forced = Outcome::ok;
  if (fault->latency) return *fault->latency;
  provider_request.force_slow_first_byte = true;
  return Duration{0};
}

ResponsePlan Router::handle_faults(const HttpRequest& request, TimePoint now) {
  const Context context = begin("", now);
  if (request.method == "GET") return json_plan(context.plan, 200, faults_.list_json());
  if (request.method == "DELETE") {
    return json_plan(context.plan, 200,
                     R"({"status":"cleared","cleared":)" + std::to_string(faults_.clear()) + "}");
  }
  if (auto error = faults_.add(request.body, config_.limits)) return error_plan(context, *error);
  return json_plan(context.plan, 200, faults_.list_json());
}

}  // namespace llmsim::mockapi
