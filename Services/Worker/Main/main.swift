import WorkerService

await WorkerService.main()
