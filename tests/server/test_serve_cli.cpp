// engram serve and engram client as programs: a spike file injected live
// gives the spikes of `engram run` with the same file as the population's
// spike_times_file; SIGTERM stops the server with a final checkpoint.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "../cli_runner.hpp"

namespace engram::test {
namespace {

// `engram serve … --port 0` as a child process; port() is read from its first line.
class serve_process {
 public:
  explicit serve_process(std::vector<std::string> args) {
    args.insert(args.begin(), {ENGRAM_CLI_PATH, "serve"});
    std::vector<char*> argv;
    for (std::string& a : args) {
      argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    pid_ = ::fork();
    if (pid_ == 0) {  // the program itself, not a shell: SIGTERM must reach it
      ::dup2(fds[1], STDOUT_FILENO);
      const int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, STDERR_FILENO);
      ::close(fds[0]);
      ::close(fds[1]);
      ::execv(ENGRAM_CLI_PATH, argv.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    out_ = ::fdopen(fds[0], "r");
    char line[1024] = {};
    if (std::fgets(line, sizeof line, out_) != nullptr) {
      first_line_ = line;
      const auto at = first_line_.find(" port ");
      if (at != std::string::npos) {
        port_ = std::stoi(first_line_.substr(at + 6));
      }
    }
  }
  ~serve_process() {
    if (pid_ > 0 && !waited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (out_ != nullptr) {
      std::fclose(out_);
    }
  }
  int port() const { return port_; }
  const std::string& first_line() const { return first_line_; }
  pid_t pid() const { return pid_; }
  // Waits for the exit; returns the exit code and the rest of stdout.
  std::pair<int, std::string> wait() {
    std::string rest;
    char buffer[1024];
    while (std::fgets(buffer, sizeof buffer, out_) != nullptr) {
      rest += buffer;
    }
    int status = 0;
    ::waitpid(pid_, &status, 0);
    waited_ = true;
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, rest};
  }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
  std::string first_line_;
  int port_ = 0;
  bool waited_ = false;
};

std::set<std::string> motor_rows(const std::string& csv_text) {
  std::set<std::string> rows;
  std::istringstream in(csv_text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find(",motor,") != std::string::npos) {
      rows.insert(line);
    }
  }
  return rows;
}

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(serve_cli, injected_spike_file_equals_engram_run_with_spike_times_file) {
  temp_dir dir;
  dir.write("in.txt", "# neuron,time_ms\n0,3\n1,3\n2,10\n5,11\n7,40\n3,41\n4,41\n6,41\n");
  // The offline network: the same file as the sensors' spike_times_file.
  auto net = nlohmann::json::parse(read_text(example("closed_loop")));
  net["populations"][0]["params"] = {{"spike_times_file", dir.str("in.txt")}};
  std::ofstream(dir / "offline.json") << net.dump();
  const cli_result offline = run_cli("run " + dir.str("offline.json") + " --steps 60 -o " + dir.str("out") + " --quiet");
  ASSERT_EQ(offline.code, 0) << offline.err;
  const std::set<std::string> expected = motor_rows(read_text(dir / "out" / "spikes.csv"));
  ASSERT_FALSE(expected.empty());

  serve_process server({example("closed_loop"), "--port", "0", "--checkpoint", dir.str("final.engck")});
  ASSERT_GT(server.port(), 0) << server.first_line();
  const std::string port = " --port " + std::to_string(server.port());
  const cli_result inject = run_cli("client inject " + dir.str("in.txt") + " --population sensor" + port);
  EXPECT_EQ(inject.code, 0) << inject.err;
  EXPECT_NE(inject.out.find("sent 8 events in 5 frames"), std::string::npos) << inject.out;
  const cli_result record = run_cli("client record -o " + dir.str("live.csv") + " --populations motor --run 60" + port);
  EXPECT_EQ(record.code, 0) << record.err;
  EXPECT_EQ(motor_rows(read_text(dir / "live.csv")), expected);

  const cli_result bad = run_cli("client reward --population motor" + port);
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("not_an_input"), std::string::npos) << bad.err;

  ::kill(server.pid(), SIGTERM);
  const auto [code, rest] = server.wait();
  EXPECT_EQ(code, 0) << rest;
  EXPECT_NE(rest.find("stopped at step 60"), std::string::npos) << rest;
  EXPECT_TRUE(std::filesystem::exists(dir / "final.engck"));
  // The final checkpoint resumes offline.
  const cli_result resumed = run_cli("run " + example("closed_loop") + " --steps 5 --resume " + dir.str("final.engck") +
                                     " -o " + dir.str("resumed") + " --quiet");
  EXPECT_EQ(resumed.code, 0) << resumed.err;
}

TEST(serve_cli, usage_errors_exit_1_with_one_line) {
  const cli_result no_port = run_cli("serve " + example("closed_loop"));
  EXPECT_EQ(no_port.code, 1);
  EXPECT_NE(no_port.err.find("--port"), std::string::npos) << no_port.err;
  const cli_result bad_bind = run_cli("serve " + example("closed_loop") + " --port 0 --bind nowhere --quiet");
  EXPECT_EQ(bad_bind.code, 1);
  EXPECT_NE(bad_bind.err.find("--bind"), std::string::npos) << bad_bind.err;
  const cli_result unknown = run_cli("client fly --port 1");
  EXPECT_EQ(unknown.code, 1);
  EXPECT_EQ(lines(unknown.err), 1u) << unknown.err;
}

}  // namespace
}  // namespace engram::test
