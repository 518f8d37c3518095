// The router's fixture lookup (models/fixtures.hpp): which rule answers a request.
#include "mockapi/fixture_query.hpp"
#include "mockapi/router.hpp"

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

}  // namespace llmsim::mockapi
