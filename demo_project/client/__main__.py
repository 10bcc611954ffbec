from demo_project.client.cli import main

raise SystemExit(main())
