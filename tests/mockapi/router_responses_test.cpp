// The router on POST /v1/responses with function tools and text.format: function_call items and
// JSON content from the schema generator, by the rule chat uses (mockapi/src/chat_content.cpp),
// whole and streamed (mockapi/src/plans.cpp, responses_bodies.cpp, responses_stream.cpp).
#include "mockapi/router.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "mockapi/sse.hpp"

namespace llmsim::mockapi {
namespace {

using Json = nlohmann::ordered_json;
using std::chrono::milliseconds;
using testing::StartsWith;

constexpr std::uint64_t kSeed = 42;
constexpr std::int64_t kCreated = 1'700'000'000;
const TimePoint kStart{};

// A strict schema: every property required, no others.
constexpr const char* kWeatherTool =
    R"({"type":"function","name":"get_weather","parameters":{"type":"object",
        "properties":{"city":{"type":"string"},"unit":{"type":"string","enum":["c","f"]},
                      "days":{"type":"integer","minimum":1,"maximum":7}},
        "required":["city","unit","days"],"additionalProperties":false}})";
constexpr const char* kTimeTool =
    R"({"type":"function","name":"get_time","strict":false,"parameters":{"type":"object",
        "properties":{"zone":{"type":"string"}}}})";

ProviderConfig test_config(double tool_call_share) {
  ProviderConfig config;
  config.models = {"gpt-4o"};
  config.latency.time_to_first_token_s = Distribution::constant(0.5);
  config.latency.per_token_s = Distribution::constant(0.1);
  config.tokens.completion_tokens = Distribution::constant(16.0);
  config.tool_call_share = tool_call_share;
  return config;
}

HttpRequest responses(const std::string& fields, const std::string& input = R"("Weather?")") {
  return HttpRequest{.method = "POST", .target = "/v1/responses",
                     .authorization = "Bearer sk-test",
                     .body = R"({"model":"gpt-4o","input":)" + input + fields + "}"};
}

Json body_of(const ResponsePlan& plan) {
  EXPECT_EQ(plan.status, 200) << plan.body;
  return Json::parse(plan.body);
}

// Checks a generated get_weather call against kWeatherTool's schema.
void expect_weather_arguments(const std::string& text) {
  const Json arguments = Json::parse(text);
  ASSERT_TRUE(arguments.is_object()) << text;
  std::vector<std::string> keys;
  for (const auto& [key, value] : arguments.items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"city", "unit", "days"}));  // schema order
  EXPECT_TRUE(arguments["city"].is_string());
  EXPECT_TRUE(arguments["unit"] == "c" || arguments["unit"] == "f") << text;
  EXPECT_GE(arguments["days"].get<int>(), 1);
  EXPECT_LE(arguments["days"].get<int>(), 7);
}

TEST(RouterResponses, RequiredToolChoiceGivesFunctionCallItems) {
  Router router(test_config(0.0), kSeed, kCreated, RouterOptions{});
  const Json body = body_of(router.handle(
      responses(std::string(R"(,"tool_choice":"required","parallel_tool_calls":false,"tools":[)") +
                kWeatherTool + "]"),
      kStart));
  EXPECT_EQ(body["status"], "completed");
  ASSERT_EQ(body["output"].size(), 1u);  // parallel_tool_calls false: one call
  const Json& call = body["output"][0];
  std::vector<std::string> keys;
  for (const auto& [key, value] : call.items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"id", "type", "status", "arguments", "call_id", "name"}));
  EXPECT_EQ(call["type"], "function_call");
  EXPECT_EQ(call["status"], "completed");
  EXPECT_THAT(call["id"].get<std::string>(), StartsWith("fc_"));
  EXPECT_THAT(call["call_id"].get<std::string>(), StartsWith("call_"));
  EXPECT_EQ(call["name"], "get_weather");
  expect_weather_arguments(call["arguments"].get<std::string>());
  EXPECT_GT(body["usage"]["output_tokens"].get<int>(), 1);  // the name and the pieces
  EXPECT_EQ(body["tool_choice"], "required");
  EXPECT_EQ(body["parallel_tool_calls"], false);
  EXPECT_EQ(body["tools"][0]["parameters"]["required"], Json::parse(R"(["city","unit","days"])"));
}

TEST(RouterResponses, ANamedToolIsTheOneCalled) {
  Router router(test_config(0.0), kSeed, kCreated, RouterOptions{});
  for (int i = 0; i < 5; ++i) {
    const Json body = body_of(router.handle(
        responses(std::string(R"(,"tool_choice":{"type":"function","name":"get_time"},"tools":[)") +
                  kWeatherTool + "," + kTimeTool + "]"),
        kStart));
    ASSERT_EQ(body["output"].size(), 1u);
    EXPECT_EQ(body["output"][0]["name"], "get_time");
    EXPECT_TRUE(Json::parse(body["output"][0]["arguments"].get<std::string>()).is_object());
  }
}

TEST(RouterResponses, AutoCallsAtTheProvidersShareAndAFollowUpAnswersInText) {
  const std::string tools = std::string(R"(,"tools":[)") + kWeatherTool + "]";
  Router never(test_config(0.0), kSeed, kCreated, RouterOptions{});
  EXPECT_EQ(body_of(never.handle(responses(tools), kStart))["output"][0]["type"], "message");
  Router always(test_config(1.0), kSeed, kCreated, RouterOptions{});
  EXPECT_EQ(body_of(always.handle(responses(tools), kStart))["output"][0]["type"], "function_call");
  // The call's output sent back: under "auto" the answer is text.
  const std::string follow_up = R"([{"role":"user","content":"Weather?"},
      {"type":"function_call","call_id":"call_1","name":"get_weather","arguments":"{}"},
      {"type":"function_call_output","call_id":"call_1","output":"{\"celsius\":3}"}])";
  const Json answer = body_of(always.handle(responses(tools, follow_up), kStart));
  ASSERT_EQ(answer["output"].size(), 1u);
  EXPECT_EQ(answer["output"][0]["type"], "message");
  EXPECT_FALSE(answer["output"][0]["content"][0]["text"].get<std::string>().empty());
  // tool_choice "none": text however likely a call is.
  EXPECT_EQ(body_of(always.handle(responses(tools + R"(,"tool_choice":"none")"), kStart))
                ["output"][0]["type"],
            "message");
}

TEST(RouterResponses, TextFormatJsonSchemaGivesJsonValidAgainstTheSchema) {
  Router router(test_config(0.8), kSeed, kCreated, RouterOptions{});
  const Json body = body_of(router.handle(
      responses(R"(,"text":{"format":{"type":"json_schema","name":"weather","strict":true,
        "schema":{"type":"object","properties":{"city":{"type":"string"},
                  "unit":{"type":"string","enum":["c","f"]},
                  "days":{"type":"integer","minimum":1,"maximum":7}},
                  "required":["city","unit","days"],"additionalProperties":false}}})"),
      kStart));
  ASSERT_EQ(body["output"][0]["type"], "message");
  expect_weather_arguments(body["output"][0]["content"][0]["text"].get<std::string>());
  EXPECT_EQ(body["text"]["format"]["type"], "json_schema");
  EXPECT_EQ(body["text"]["format"]["name"], "weather");
  EXPECT_EQ(body["text"]["format"]["strict"], true);
  const Json object = body_of(router.handle(
      responses(R"(,"text":{"format":{"type":"json_object"}})", R"("Answer in JSON")"), kStart));
  EXPECT_TRUE(Json::parse(object["output"][0]["content"][0]["text"].get<std::string>()).is_object());
}

// Returns the data of a Responses event.
Json event_data(const StreamEvent& event) {
  return Json::parse(event.data.substr(event.data.find("\ndata: ") + 7));
}

TEST(RouterResponses, AStreamedCallIsAddedThenItsArgumentsInPiecesThenDone) {
  Router router(test_config(0.0), kSeed, kCreated, RouterOptions{});
  const ResponsePlan plan = router.handle(
      responses(std::string(R"(,"stream":true,"tool_choice":"required","parallel_tool_calls":false,"tools":[)") +
                kWeatherTool + "]"),
      kStart);
  ASSERT_EQ(plan.kind, PlanKind::stream);
  std::vector<std::string> types;
  std::string arguments;
  Duration total{0};
  std::size_t deltas = 0;
  const std::size_t count = event_count(*plan.stream);
  for (std::size_t i = 0; i < count; ++i) {
    const StreamEvent event = stream_event(*plan.stream, i);
    total += event.delay;
    const Json data = event_data(event);
    EXPECT_EQ(data["sequence_number"], i);
    const std::string type = data["type"];
    if (type == "response.function_call_arguments.delta") {
      arguments += data["delta"].get<std::string>();
      EXPECT_EQ(data["output_index"], 0);
      ++deltas;
      continue;
    }
    types.push_back(type);
    if (type == "response.output_item.added") {
      EXPECT_EQ(data["item"]["type"], "function_call");
      EXPECT_EQ(data["item"]["status"], "in_progress");
      EXPECT_EQ(data["item"]["arguments"], "");
    }
    if (type == "response.function_call_arguments.done") {
      EXPECT_EQ(data["name"], "get_weather");
      EXPECT_EQ(data["arguments"], arguments);
    }
    if (type == "response.completed") {
      EXPECT_EQ(data["response"]["output"][0]["arguments"], arguments);
      // One token for the call's name, one per piece of its arguments.
      EXPECT_EQ(data["response"]["usage"]["output_tokens"], deltas + 1);
    }
  }
  EXPECT_EQ(types, (std::vector<std::string>{
                       "response.created", "response.in_progress", "response.output_item.added",
                       "response.function_call_arguments.done", "response.output_item.done",
                       "response.completed"}));
  expect_weather_arguments(arguments);
  // 500 ms to the first token (the call's name), then 100 ms per argument piece.
  EXPECT_EQ(total, milliseconds(500) + milliseconds(100) * static_cast<std::int64_t>(deltas));
}

TEST(RouterResponses, SchemasOutsideTheSubsetGetChatsFourHundred) {
  Router router(test_config(0.8), kSeed, kCreated, RouterOptions{});
  const ResponsePlan tool = router.handle(
      responses(R"(,"tools":[{"type":"function","name":"f","strict":false,
                    "parameters":{"type":"object","allOf":[]}}])"),
      kStart);
  EXPECT_EQ(tool.status, 400);
  const Json tool_error = Json::parse(tool.body)["error"];
  EXPECT_EQ(tool_error["param"], "tools[0].parameters");
  EXPECT_EQ(tool_error["code"], "invalid_function_parameters");
  EXPECT_EQ(tool_error["message"],
            "Invalid schema for function 'f': In context=(), 'allOf' is not permitted.");
  const ResponsePlan format = router.handle(
      responses(R"(,"text":{"format":{"type":"json_schema","name":"x",
                    "schema":{"type":"object","properties":{"a":{"type":"string"}},"oneOf":[]}}})"),
      kStart);
  EXPECT_EQ(format.status, 400);
  const Json format_error = Json::parse(format.body)["error"];
  EXPECT_EQ(format_error["param"], "text.format.schema");
  EXPECT_EQ(format_error["code"], "invalid_json_schema");
}

}  // namespace
}  // namespace llmsim::mockapi
