import Foundation
import DashScopeKit

/// `dashscope t2i PROMPT`: validate against the catalogue, submit, wait, download.
enum TextToImageCommand {
    /// The handler.
    static func run(_ invocation: Invocation) async throws -> ExitCode {
        let args = invocation.arguments
        let console = invocation.console
        let prompt = try PromptInput.read(invocation)
        let configuration = try Session.configuration(invocation)
        let modelName = args.string("model") ?? configuration.commandModels["t2i"] ?? Catalog.defaultModel(for: .textToImage)
        let model = Catalog.resolve(modelName, for: .textToImage)
        if model.inferred {
            console.warn("model '\(modelName)' is not in the catalogue; sending it anyway with the \(model.modes[0].wire.rawValue) protocol, limits unchecked")
        }
        let mode = try callMode(args, model: model)
        let request = ImageRequest(prompt: prompt, negative: args.string("negative"),
                                   size: try args.string("size").map(SizeRequest.parse), count: args.int("n") ?? 1,
                                   seed: args.int("seed"), promptExtend: !args.flag("no-prompt-extend"),
                                   watermark: args.flag("watermark"))
        let size = try TextToImage.validate(request, model: model)
        let endpoint = TextToImage.endpoint(request, model: model, mode: mode, size: size)
        let session = try Session(invocation, configuration: configuration)
        if args.flag("dry-run") {
            console.result(session.client.describe(endpoint))
            return .ok
        }
        let job = JobDescription(model: model.name, prompt: prompt, started: Date(), fileExtension: "png", video: false)
        let plan = try OutputPlan(option: args.string("output") ?? session.configuration.output, cwd: invocation.context.cwd,
                                  home: invocation.context.environment["HOME"] ?? NSHomeDirectory())
        if !args.flag("no-wait") {
            _ = try plan.prepare(NamingContext(date: job.started, model: job.model, prompt: prompt, task: ""))
        }
        let runner = JobRunner(session: session, console: console, plan: plan, force: args.flag("force"), json: args.flag("json"),
                               timeout: args.number("timeout"), cwd: invocation.context.cwd,
                               resume: { ResumeLine.make(taskID: $0, arguments: args, session: session) })
        return try await Submission.run(endpoint: endpoint, mode: mode, command: "t2i", job: job, invocation: invocation,
                                        session: session, runner: runner, plan: plan)
    }

    /// The call mode: `--async`, `--sync`, `--no-wait` (needs a task), or the model's default.
    static func callMode(_ args: ParsedArguments, model: ModelSpec) throws -> CallMode {
        if args.flag("sync") && (args.flag("async") || args.flag("no-wait")) {
            throw DashScopeError.usage("--sync cannot go with \(args.flag("async") ? "--async" : "--no-wait")", hint: "pick one")
        }
        let wantAsync: Bool? = args.flag("async") || args.flag("no-wait") ? true : args.flag("sync") ? false : nil
        guard let mode = model.mode(async: wantAsync) else {
            let what = wantAsync == true ? "as an async task (--async/--no-wait)" : "synchronously (--sync)"
            throw DashScopeError.usage("\(model.name) cannot run \(what)", hint: "drop the flag")
        }
        return mode
    }
}

/// Sends a create call and carries the job through: `--no-wait`, the journal, waiting, collecting.
enum Submission {
    /// Submits `endpoint` and finishes the job the way the flags ask.
    static func run(endpoint: Endpoint, mode: CallMode, command: String, job: JobDescription, invocation: Invocation,
                    session: Session, runner: JobRunner, plan: OutputPlan) async throws -> ExitCode {
        let args = invocation.arguments
        let console = invocation.console
        let answer: JSON
        do {
            if console.showsProgress { console.progress("submitting to \(job.model)…") }
            answer = try await session.client.perform(endpoint)
        } catch is CancellationError {
            throw DashScopeError("interrupted while submitting; the request may have reached the service",
                                 hint: mode.async ? "check `dashscope task list` before submitting again" : "a synchronous result cannot be fetched later",
                                 exit: .interrupted)
        }
        let requestID = answer["request_id"]?.string
        guard mode.async else {
            console.endProgress()
            return try await runner.collect(output: answer["output"] ?? .null, usage: answer["usage"], taskID: nil,
                                            requestID: requestID, job: job)
        }
        guard let taskID = answer["output"]?["task_id"]?.string else {
            throw DashScopeError("the service accepted the request but returned no task id", hint: "run again with --verbose to see the answer",
                                 exit: .failed, requestID: requestID)
        }
        let absoluteOutput = args.string("output").map { $0.hasPrefix("/") ? $0 : invocation.context.cwd + "/" + $0 }
        do {
            if session.mock == nil { try session.journal.recordSubmitted(JournalEntry(taskID: taskID, model: job.model, command: command, prompt: job.prompt,
                                                             origin: session.configuration.origin, submittedAt: job.started,
                                                             output: absoluteOutput)) }
        } catch let error as DashScopeError {
            console.warn("\(error.message); remember the task id yourself: \(taskID)")
        }
        console.trace("task \(taskID) submitted (request \(requestID ?? "?"))")
        if args.flag("no-wait") {
            console.endProgress()
            if args.flag("json") {
                console.result(JSON.object(["task_id": .string(taskID), "request_id": requestID.map(JSON.string) ?? .null,
                                            "model": .string(job.model), "status": .string(answer["output"]?["task_status"]?.string ?? "PENDING")]).pretty)
            } else {
                console.result(taskID)
            }
            if let line = ResumeLine.make(taskID: taskID, arguments: args, session: session) { console.info("collect it with: \(line)") }
            return .ok
        }
        return try await runner.wait(taskID: taskID, job: job)
    }
}
