import DataService

await DataService.main()
