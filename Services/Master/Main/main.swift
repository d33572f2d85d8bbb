import MasterService

await MasterService.main()
