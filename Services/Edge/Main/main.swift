import EdgeService

await EdgeService.main()
